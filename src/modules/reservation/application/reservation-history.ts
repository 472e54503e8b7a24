import { z } from 'zod';
import { maskEnvelope } from '../../../bus/envelope';
import { NotFoundError } from '../../../platform/errors';
import { reservationContracts } from '../contracts/events';
import type { ReservationStore } from '../infrastructure/reservation-store';

export const reservationHistoryInput = z.object({ id: z.string().min(1).max(100) }).strict();

export interface ReservationHistoryEntry {
  /** The event's version in the reservation's stream (1, 2, …). */
  version: number;
  /** The contract's type, e.g. `reservation.ReservationCreated`. */
  type: string;
  /** The contract version of `payload` as shown: the one the module writes now. */
  schemaVersion: number;
  /** The version the event was stored with, when it was older and is shown lifted by its upcaster; otherwise null. */
  upcastFrom: number | null;
  occurredAt: string;
  messageId: string;
  correlationId: string;
  causationId: string | null;
  /** Fields the contract marks sensitive (the payment token) are masked, as in dead-letter views. */
  payload: Record<string, unknown>;
}

const SENSITIVE = new Map(reservationContracts.map((c) => [c.type, c.sensitive]));

/** `reservation.history`: the reservation's event stream in order, as an audit trail. */
export function reservationHistory(store: ReservationStore) {
  return (raw: z.input<typeof reservationHistoryInput>): ReservationHistoryEntry[] => {
    const { id } = reservationHistoryInput.parse(raw);
    const events = store.events.read(id);
    if (events.length === 0) throw new NotFoundError(`no reservation with id "${id}"`);
    return events.map(({ version, envelope, storedVersion }) => {
      const shown = maskEnvelope(envelope, SENSITIVE.get(envelope.type) ?? []);
      return {
        version,
        type: shown.type,
        schemaVersion: shown.version,
        upcastFrom: storedVersion === shown.version ? null : storedVersion,
        occurredAt: shown.occurredAt,
        messageId: shown.id,
        correlationId: shown.correlationId,
        causationId: shown.causationId,
        payload: shown.payload as Record<string, unknown>,
      };
    });
  };
}
