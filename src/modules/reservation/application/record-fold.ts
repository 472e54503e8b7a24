import { evolve, type ReservationState } from '../domain/reservation';
import { domainEvent, type StoredEvent } from '../infrastructure/event-store';
import type { ReservationRecord } from '../infrastructure/reservation-view';

/**
 * A stream folded one event at a time into the record the current-state table holds at that version
 * (it is written in the event's transaction with the event's instant, so the two agree field for field).
 */
export class RecordFold {
  private state: ReservationState = null;
  private createdAt = '';

  /** The record right after `e`; events must come in stream order. */
  apply(e: StoredEvent): ReservationRecord | null {
    this.state = evolve(this.state, domainEvent(e.envelope));
    if (e.version === 1) this.createdAt = e.envelope.occurredAt;
    return this.state && { ...this.state, version: e.version, createdAt: this.createdAt, updatedAt: e.envelope.occurredAt };
  }
}
