import { z } from 'zod';
import { maskEnvelope } from '../../../bus/envelope';
import { NotFoundError } from '../../../platform/errors';
import { paymentContracts } from '../contracts/events';
import type { AttemptOutcome, PaymentStore } from '../infrastructure/payment-store';

export const paymentHistoryInput = z.object({ reservationId: z.string().min(1).max(100) }).strict();

export type PaymentHistoryEntry =
  | {
      kind: 'charge-attempt';
      /** When the provider's charge was called. */
      at: string;
      attempt: number;
      /** Null: no answer was recorded (the process stopped during the call). */
      outcome: AttemptOutcome | null;
      answeredAt: string | null;
      providerRef: string | null;
      /** The decline code, or the error's name for a provider error. */
      code: string | null;
      message: string | null;
    }
  | { kind: 'capture' | 'refund'; at: string; amount: number; providerRef: string | null }
  | {
      kind: 'event';
      at: string;
      type: string;
      schemaVersion: number;
      /** The version it was stored with, when older and shown lifted; otherwise null. */
      upcastFrom: number | null;
      messageId: string;
      correlationId: string;
      causationId: string | null;
      payload: Record<string, unknown>;
    };

const SENSITIVE = new Map(paymentContracts.map((c) => [c.type, c.sensitive]));
/** Within one outbox position: the events up to it, then attempts started, then captures and refunds. */
const RANK = { event: 0, 'charge-attempt': 1, capture: 2, refund: 2 } as const;

/**
 * `payment.history`: the payment side's own audit trail for a reservation, in the order things
 * happened: every charge attempt (with the provider's answer or error), captures and refunds, and the
 * events payment published. Attempts and operations carry the outbox position they were written at, so
 * the three sources interleave exactly even when they share an instant; operations written before that
 * position was recorded are placed by time, after the events that occurred before them.
 */
export function paymentHistory(store: PaymentStore) {
  return (raw: z.input<typeof paymentHistoryInput>): PaymentHistoryEntry[] => {
    const { reservationId } = paymentHistoryInput.parse(raw);
    const events = store.outbox.historyOf(reservationId);
    const attempts = store.attempts(reservationId);
    const operations = store.positionedOperations(reservationId);
    if (events.length === 0 && attempts.length === 0 && operations.length === 0 && !store.get(reservationId)) {
      throw new NotFoundError(`no payment for reservation "${reservationId}" (yet): payment starts once the reservation event reaches it`);
    }
    const placedByTime = (at: string) => events.filter((e) => Date.parse(e.envelope.occurredAt) < Date.parse(at)).at(-1)?.seq ?? 0;
    const rows: Array<{ position: number; order: number; entry: PaymentHistoryEntry }> = [
      ...events.map(({ seq, envelope, storedVersion }) => {
        const shown = maskEnvelope(envelope, SENSITIVE.get(envelope.type) ?? []);
        const entry: PaymentHistoryEntry = {
          kind: 'event',
          at: shown.occurredAt,
          type: shown.type,
          schemaVersion: shown.version,
          upcastFrom: storedVersion === shown.version ? null : storedVersion,
          messageId: shown.id,
          correlationId: shown.correlationId,
          causationId: shown.causationId,
          payload: shown.payload as Record<string, unknown>,
        };
        return { position: seq, order: 0, entry };
      }),
      ...attempts.map(({ outboxSeq, startedAt, ...a }) => ({ position: outboxSeq, order: a.attempt, entry: { kind: 'charge-attempt' as const, at: startedAt, ...a } })),
      ...operations.map(({ id, outboxSeq, kind, at, amount, providerRef }) => ({ position: outboxSeq ?? placedByTime(at), order: id, entry: { kind, at, amount, providerRef } })),
    ];
    rows.sort((a, b) => a.position - b.position || RANK[a.entry.kind] - RANK[b.entry.kind] || a.order - b.order);
    return rows.map((r) => r.entry);
  };
}
