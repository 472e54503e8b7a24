import { z } from 'zod';
import { InvalidRequestError } from '../platform/errors';
import { states } from './definition';
import type { NumberedStep, SagaStore } from './infrastructure/saga-store';

export const followSagaInput = z
  .object({
    reservationId: z.string().min(1).max(100),
    /** The last step id this client saw (SSE Last-Event-ID, sent back by tRPC's client on reconnect). */
    lastEventId: z
      .string()
      .regex(/^[1-9][0-9]{0,15}$/, 'lastEventId must be a step id this subscription sent (a whole number from 1)')
      .nullish(),
  })
  .strict();
export type FollowSagaInput = z.input<typeof followSagaInput>;

/**
 * `saga.onChange`: every step of the saga's log (the steps of `saga.get`) after the one the client saw,
 * as each commits, woken by saga.db's commit notification (no polling). It ends once the saga is
 * CONFIRMED or CANCELLED after sending what is logged; resuming from a CONFIRMED saga's last step waits
 * for a customer's cancellation, resuming a CANCELLED one ends at once. A saga that has not started
 * yet (ReservationCreated is still on its way) is waited for: its first steps come when it starts.
 */
export function followSaga(store: SagaStore) {
  return (raw: FollowSagaInput, signal?: AbortSignal): AsyncGenerator<NumberedStep, void, undefined> => {
    const { reservationId, lastEventId } = followSagaInput.parse(raw);
    const after = lastEventId ? Number(lastEventId) : 0;
    if (after > 0 && !store.stepsAfter(reservationId, after - 1).some((s) => s.id === after)) {
      throw new InvalidRequestError(`lastEventId ${after} is not a step of the saga for reservation ${reservationId}; resume from a step id this subscription sent`);
    }
    return stream(store, reservationId, after, signal);
  };
}

async function* stream(store: SagaStore, reservationId: string, after: number, signal?: AbortSignal) {
  let last = after;
  for await (const _ of store.changed.wakeups(reservationId, signal)) {
    const fresh = store.stepsAfter(reservationId, last);
    for (const step of fresh) {
      last = step.id;
      yield step;
    }
    const state = store.get(reservationId)?.state;
    // Ended with what was just sent; or resumed at an end where nothing can follow.
    if (state && states[state].terminal && (fresh.length > 0 || state === 'CANCELLED')) return;
  }
}
