import { NotFoundError } from '../../../platform/errors';
import type { ReservationStore } from '../infrastructure/reservation-store';
import type { ReservationRecord } from '../infrastructure/reservation-view';
import { RecordFold } from './record-fold';

/**
 * The reservation as it was at `asOf` (ISO, UTC), rebuilt by folding its stream up to that instant: the
 * events that occurred at or before it. Before the first event it did not exist yet: NOT_FOUND.
 */
export function reservationAsOf(store: ReservationStore) {
  return (id: string, asOf: string): ReservationRecord => {
    const events = store.events.read(id);
    const first = events[0];
    if (!first) throw new NotFoundError(`no reservation with id "${id}"`);
    const at = Date.parse(asOf);
    if (Date.parse(first.envelope.occurredAt) > at) {
      throw new NotFoundError(`reservation "${id}" did not exist yet at ${asOf}: its first event occurred at ${first.envelope.occurredAt}`);
    }
    const fold = new RecordFold();
    let record: ReservationRecord | null = null;
    for (const e of events) {
      if (Date.parse(e.envelope.occurredAt) > at) break;
      record = fold.apply(e);
    }
    return record as ReservationRecord;
  };
}
