import { route, type HandlerTable } from '../../bus/handler-table';
import type { Clock } from '../../platform/clock';
import type { Signal } from '../../platform/signal';
import { applySagaCommand } from './application/apply-saga-command';
import { RESERVATION_GROUP } from './application/consumer-group';
import { CancelReservation, ConfirmReservation } from './contracts/commands';
import type { ReservationStore } from './infrastructure/reservation-store';

/**
 * Everything the reservation module listens to: one consumer group, and per contract the handler that
 * runs. The saga definition decides where the commands come from (the orchestrator, or the payment
 * events it maps to them in choreography mode).
 */
export function reservationSubscriptions(store: ReservationStore, clock: Clock, committed: Signal): HandlerTable {
  const apply = applySagaCommand(store, clock);
  const announce = (appended: boolean) => {
    if (appended) committed.notify();
  };
  return {
    group: RESERVATION_GROUP,
    routes: [
      route(ConfirmReservation, async (m) => announce(await apply(m.envelope, { kind: 'Confirm', ...m.payload }))),
      route(CancelReservation, async (m) => announce(await apply(m.envelope, { kind: 'Cancel', ...m.payload }))),
    ],
  };
}
