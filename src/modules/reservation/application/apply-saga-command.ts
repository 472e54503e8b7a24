import { causedBy, type Envelope } from '../../../bus/envelope';
import { NonRetryableError } from '../../../bus/errors';
import type { Clock } from '../../../platform/clock';
import { ReservationRuleBroken, type ReservationCommand } from '../domain/reservation';
import type { ReservationStore } from '../infrastructure/reservation-store';
import { RESERVATION_GROUP } from './consumer-group';
import { execute } from './execute';

/**
 * A saga command (ConfirmReservation, CancelReservation) becomes this module's own domain command,
 * handled in one transaction with the inbox record, so a duplicate delivery changes nothing. Returns
 * whether events were appended.
 */
export function applySagaCommand(store: ReservationStore, clock: Clock) {
  return (envelope: Envelope, command: ReservationCommand & { reservationId: string }): Promise<boolean> =>
    store.write(() => {
      if (!store.inbox.claim(RESERVATION_GROUP, envelope.id)) return false;
      let events;
      try {
        events = execute(store, command.reservationId, command, clock.now(), causedBy(envelope)).events;
      } catch (error) {
        if (error instanceof ReservationRuleBroken && error.rule === 'not-found') {
          throw new NonRetryableError(`${envelope.type} refers to reservation ${command.reservationId}, which this module does not know`);
        }
        throw error;
      }
      return events.length > 0;
    });
}
