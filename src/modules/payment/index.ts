import { inject, injectable } from 'tsyringe';
import { join } from 'node:path';
import { NonRetryableError } from '../../bus/errors';
import { isOf, type EventBus } from '../../bus/ports';
import type { Config } from '../../config';
import type { Clock } from '../../platform/clock';
import { Signal } from '../../platform/signal';
import { CLOCK, CONFIG, EVENT_BUS, PAYMENT_GATEWAY } from '../../platform/tokens';
import { ReservationCancelled, ReservationCreated } from '../reservation/contracts/events';
import { RefundRequested } from './contracts/events';
import { PAYMENT_GROUP } from './application/apply-transition';
import { getPaymentByReservation } from './application/get-payment';
import { onRefundRequested } from './application/on-refund-requested';
import { onReservationCancelled } from './application/on-reservation-cancelled';
import { onReservationCreated } from './application/on-reservation-created';
import type { PaymentGateway, ProviderControl } from './application/payment-gateway';
import { PaymentStore } from './infrastructure/payment-store';

export { getPaymentInput } from './application/get-payment';
export type { PaymentGateway, ProviderControl } from './application/payment-gateway';
export { SimulatedProvider, type LedgerEntry } from './infrastructure/simulated-provider';
export { tracedGateway } from './infrastructure/traced-gateway';
export { createPaymentRouter } from './api/router';

const isControl = (g: object): g is ProviderControl => 'setOutage' in g && 'isInOutage' in g;

/** The payment module's facade: owns payment.db and its outbox; charges and refunds through the gateway port. */
@injectable()
export class PaymentModule {
  readonly store: PaymentStore;
  readonly committed = new Signal();
  readonly getByReservation;

  constructor(
    @inject(CONFIG) config: Config,
    @inject(EVENT_BUS) private readonly bus: EventBus,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway,
  ) {
    this.store = PaymentStore.open(join(config.DATA_DIR, 'payment.db'));
    this.getByReservation = getPaymentByReservation(this.store);
  }

  subscribe(): void {
    const created = onReservationCreated(this.store, this.gateway, this.clock);
    const cancelled = onReservationCancelled(this.store, this.clock);
    const refund = onRefundRequested(this.store, this.gateway, this.clock);
    this.bus.subscribe(PAYMENT_GROUP, [ReservationCreated, ReservationCancelled, RefundRequested], async (m) => {
      let announced: boolean;
      if (isOf(ReservationCreated, m)) announced = await created(m.envelope, m.payload);
      else if (isOf(ReservationCancelled, m)) announced = await cancelled(m.envelope, m.payload);
      else if (isOf(RefundRequested, m)) announced = await refund(m.envelope, m.payload);
      else throw new NonRetryableError(`payment has no handler for ${m.envelope.type} v${m.envelope.version}`);
      if (announced) this.committed.notify();
    });
  }

  /** The operator's outage switch, when the configured provider has one. */
  setProviderOutage(on: boolean): { on: boolean } {
    if (!isControl(this.gateway)) throw new Error('the configured payment provider has no outage switch');
    this.gateway.setOutage(on);
    return { on: this.gateway.isInOutage() };
  }

  close(): void {
    this.store.close();
  }
}
