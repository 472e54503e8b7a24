import { join } from 'node:path';
import { inject, injectable } from 'tsyringe';
import { isOf, type EventBus } from '../../bus/ports';
import type { Config } from '../../config';
import type { Clock } from '../../platform/clock';
import type { Logger } from '../../platform/logger';
import { Signal } from '../../platform/signal';
import { CLOCK, CONFIG, EVENT_BUS, LOGGER } from '../../platform/tokens';
import { PaymentFailed, PaymentSucceeded } from '../payment/contracts/events';
import { cancelReservation } from './application/cancel-reservation';
import { createReservation } from './application/create-reservation';
import { DeadlineScheduler } from './application/deadline-scheduler';
import { expireReservations } from './application/expire-reservations';
import { onPaymentOutcome, RESERVATION_GROUP } from './application/on-payment-outcome';
import { getReservation, listReservations } from './application/queries';
import { ReservationStore } from './infrastructure/reservation-store';

export { createReservationInput, type CreateReservationInput } from './application/create-reservation';
export { cancelReservationInput } from './application/cancel-reservation';
export { getReservationInput, listReservationsInput } from './application/queries';
export type { ReservationRecord } from './infrastructure/reservation-view';
export { createReservationRouter } from './api/router';

/**
 * The reservation module's facade: the only entry for api/ and main.ts. It owns reservation.db, its
 * event store (which is also its outbox) and the payment-deadline timer.
 */
@injectable()
export class ReservationModule {
  readonly store: ReservationStore;
  /** Fires after every commit that appended events: the relay listens. */
  readonly committed = new Signal();
  private readonly deadlines: DeadlineScheduler;
  private readonly paymentOutcome;
  readonly create;
  readonly cancel;
  readonly get;
  readonly list;

  constructor(
    @inject(CONFIG) config: Config,
    @inject(EVENT_BUS) private readonly bus: EventBus,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(LOGGER) log: Logger,
  ) {
    this.store = ReservationStore.open(join(config.DATA_DIR, 'reservation.db'));
    const create = createReservation(this.store, clock, config.PAYMENT_DEADLINE_MS);
    const cancel = cancelReservation(this.store, clock);
    this.deadlines = new DeadlineScheduler(clock, () => this.store.view.nextDeadline(), expireReservations(this.store, clock), () => this.committed.notify(), log);
    this.create = async (input: Parameters<typeof create>[0], traceHeaders?: Parameters<typeof create>[1]) => {
      const result = await create(input, traceHeaders);
      if (result.created) {
        this.committed.notify();
        this.deadlines.notify(result.reservation.paymentDeadline);
      }
      return result;
    };
    this.cancel = async (input: Parameters<typeof cancel>[0]) => {
      const result = await cancel(input);
      if (result.changed) this.committed.notify();
      return result.reservation;
    };
    this.get = getReservation(this.store);
    this.list = listReservations(this.store);
    this.paymentOutcome = onPaymentOutcome(this.store, clock);
  }

  /** Subscribes the module's handlers; call before the bus starts. */
  subscribe(): void {
    this.bus.subscribe(RESERVATION_GROUP, [PaymentSucceeded, PaymentFailed], async (m) => {
      const { reservationId, paymentId } = m.payload;
      const command = isOf(PaymentSucceeded, m)
        ? { kind: 'Confirm' as const, reservationId, paymentId }
        : { kind: 'Cancel' as const, reservationId, reason: 'PAYMENT_DECLINED' as const };
      if (await this.paymentOutcome(m.envelope, command)) this.committed.notify();
    });
  }

  start(): void {
    this.deadlines.start();
  }

  stop(): void {
    this.deadlines.stop();
  }

  close(): void {
    this.stop();
    this.store.close();
  }
}
