import type { Envelope } from '../bus/envelope';
import type { Publisher } from '../bus/outbox/relay';
import type { SagaMetrics } from '../platform/metrics';
import { ReservationCancelled, ReservationConfirmed, ReservationCreated } from '../modules/reservation/contracts/events';

/** Start times kept for durations; past this many sagas in flight, the rest end without one. */
const MAX_IN_FLIGHT = 100_000;

/**
 * Saga starts and ends read off the reservation events its relay publishes, until the saga code records
 * them itself through SagaMetrics: ReservationCreated starts a saga; ReservationConfirmed, or a
 * ReservationCancelled of a reservation that was still PENDING, ends it (a confirmed reservation cancelled
 * later is a new story, not the saga's end). The duration is from the created event's time to the
 * terminal one's, for sagas created since this process started. Publishing is at least once: a batch
 * the relay sends again after a failed publish counts again.
 */
export const sagaMetricsFromEvents =
  (saga: SagaMetrics, mode: string) =>
  (next: Publisher): Publisher => {
    const createdAt = new Map<string, number>();
    const end = (e: Envelope, outcome: string) => {
      const started = createdAt.get(e.key); // the key of every reservation event is its reservation id
      createdAt.delete(e.key);
      saga.sagaEnded(mode, outcome, started === undefined ? null : Math.max(0, Date.parse(e.occurredAt) - started) / 1000);
    };
    const see = (e: Envelope) => {
      if (e.type === ReservationCreated.type) {
        saga.sagaStarted(mode);
        if (createdAt.size < MAX_IN_FLIGHT) createdAt.set(e.key, Date.parse(e.occurredAt));
      } else if (e.type === ReservationConfirmed.type) {
        end(e, 'confirmed');
      } else if (e.type === ReservationCancelled.type) {
        const cancelled = ReservationCancelled.schema.safeParse(e.payload);
        if (cancelled.success && cancelled.data.previousStatus === 'PENDING') end(e, cancelled.data.reason.toLowerCase());
      }
    };
    return {
      async publish(envelopes) {
        await next.publish(envelopes);
        for (const e of envelopes) see(e);
      },
    };
  };
