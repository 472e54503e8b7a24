import { expect } from 'vitest';
import { fold, type Decider } from '../decider';

/**
 * given/when/then for any decider (after Emmett's `DeciderSpecification`): given past events, when a
 * command, then the new events, or a thrown error matching `expected`.
 */
export const deciderSpec =
  <Command, Event, State>(decider: Decider<Command, Event, State>) =>
  (...given: Event[]) => ({
    when: (command: Command) => ({
      then: (...expected: Event[]) => expect(decider.decide(command, fold(decider, given))).toEqual(expected),
      thenThrows: (expected: object) => expect(() => decider.decide(command, fold(decider, given))).toThrow(expect.objectContaining(expected)),
      /** The state after the new events too, for checks on what they lead to. */
      thenState: () => {
        const before = fold(decider, given);
        return decider.decide(command, before).reduce(decider.evolve, before);
      },
    }),
  });
