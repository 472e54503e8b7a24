import { z } from 'zod';
import { InvalidRequestError, NotFoundError } from '../../../platform/errors';
import type { KeyedSignal } from '../../../platform/keyed-signal';
import type { ReservationStore } from '../infrastructure/reservation-store';
import type { ReservationRecord } from '../infrastructure/reservation-view';
import { RecordFold } from './record-fold';

export const followReservationInput = z
  .object({
    id: z.string().min(1).max(100),
    /** The last stream version this client saw (SSE Last-Event-ID, sent back by tRPC's client on reconnect). */
    lastEventId: z
      .string()
      .regex(/^[1-9][0-9]{0,8}$/, 'lastEventId must be a stream version this subscription sent (a whole number from 1)')
      .nullish(),
  })
  .strict();
export type FollowReservationInput = z.input<typeof followReservationInput>;

/** One state change: the reservation right after the event of stream version `version`. */
export interface ReservationChange {
  version: number;
  /** The event that made the change, e.g. `reservation.ReservationConfirmed`. */
  event: string;
  occurredAt: string;
  reservation: ReservationRecord;
}

const ENDS = new Set(['CONFIRMED', 'CANCELLED']);

/**
 * `reservation.onChange`: the current state first (or, resuming, every version after the one the client
 * saw), then every change as it commits, woken by the module's commit notification (no polling). It
 * ends after it has sent CONFIRMED or CANCELLED, the ends of the saga. A customer may still cancel a
 * CONFIRMED reservation: resuming from the CONFIRMED version waits for that, and ends with it. Resuming
 * from a CANCELLED one ends at once: nothing follows a cancellation.
 *
 * The checks run when called, so an unknown id is NOT_FOUND before the stream opens.
 */
export function followReservation(store: ReservationStore, changed: KeyedSignal) {
  return (raw: FollowReservationInput, signal?: AbortSignal): AsyncGenerator<ReservationChange, void, undefined> => {
    const { id, lastEventId } = followReservationInput.parse(raw);
    const current = store.view.get(id);
    if (!current) throw new NotFoundError(`no reservation with id "${id}"`);
    const after = lastEventId ? Number(lastEventId) : null;
    if (after !== null && after > current.version) {
      throw new InvalidRequestError(`lastEventId ${after} is past reservation ${id}'s last version (${current.version}); resume from a version this subscription sent`);
    }
    return stream(store, changed, id, after, signal);
  };
}

async function* stream(store: ReservationStore, changed: KeyedSignal, id: string, after: number | null, signal?: AbortSignal) {
  const fold = new RecordFold();
  let version = 0;
  let status: ReservationRecord['status'] | null = null;
  let first = true;
  for await (const _ of changed.wakeups(id, signal)) {
    const fresh = store.events.read(id, version);
    const out: ReservationChange[] = [];
    for (let i = 0; i < fresh.length; i++) {
      const e = fresh[i] as (typeof fresh)[number];
      const reservation = fold.apply(e) as ReservationRecord;
      version = e.version;
      status = reservation.status;
      // A first look without a resume point sends only the current state; after that, every change.
      const send = after === null ? !first || i === fresh.length - 1 : e.version > after;
      if (send) out.push({ version, event: e.envelope.type, occurredAt: e.envelope.occurredAt, reservation });
    }
    first = false;
    for (const c of out) yield c;
    if (out.some((c) => ENDS.has(c.reservation.status))) return;
    if (status === 'CANCELLED') return; // resumed past the cancellation: nothing can follow
  }
}
