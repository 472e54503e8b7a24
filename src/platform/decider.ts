/**
 * A decider: `decide(command, state) → events` and `evolve(state, event) → state`, both pure. Every
 * domain of this project has this shape (reservation, payment), so one test helper serves them all.
 */
export interface Decider<Command, Event, State> {
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  initialState: State;
}

export const fold = <Event, State>(d: Pick<Decider<unknown, Event, State>, 'evolve' | 'initialState'>, events: readonly Event[]): State =>
  events.reduce<State>((s, e) => d.evolve(s, e), d.initialState);
