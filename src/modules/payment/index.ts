import { inject, injectable } from 'tsyringe';
import { join } from 'node:path';
import type { Envelope } from '../../bus/envelope';
import type { HandlerTable } from '../../bus/handler-table';
import { OutboxRelay, type Publisher } from '../../bus/outbox/relay';
import type { Config } from '../../config';
import type { Clock } from '../../platform/clock';
import type { Logger } from '../../platform/logger';
import { Signal } from '../../platform/signal';
import { CLOCK, CONFIG, LOGGER, OUTBOX_PUBLISHER, PAYMENT_GATEWAY } from '../../platform/tokens';
import { getPaymentByReservation } from './application/get-payment';
import { paymentHistory } from './application/payment-history';
import type { PaymentGateway, ProviderControl } from './application/payment-gateway';
import { PaymentStore, type PaymentRecord } from './infrastructure/payment-store';
import { paymentSubscriptions } from './subscriptions';

export { getPaymentInput } from './application/get-payment';
export { paymentHistoryInput, type PaymentHistoryEntry } from './application/payment-history';
export type { PaymentGateway, ProviderControl } from './application/payment-gateway';
export { SimulatedProvider, type LedgerEntry } from './infrastructure/simulated-provider';
export type { PaymentRecord } from './infrastructure/payment-store';
export { tracedGateway } from './infrastructure/traced-gateway';
export { createPaymentRouter } from './api/router';

const isControl = (g: object): g is ProviderControl => 'setOutage' in g && 'isInOutage' in g;

/** The payment module's facade: owns payment.db, its outbox and relay; charges and refunds through the gateway port. */
@injectable()
export class PaymentModule {
  readonly store: PaymentStore;
  /** Its consumer group and handlers; the saga definition decides which messages reach them. */
  readonly subscriptions: HandlerTable;
  readonly relay: OutboxRelay;
  readonly getByReservation;
  readonly history;

  constructor(
    @inject(CONFIG) config: Config,
    @inject(OUTBOX_PUBLISHER) publisherFor: (name: string) => Publisher,
    @inject(CLOCK) clock: Clock,
    @inject(LOGGER) log: Logger,
    @inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway,
  ) {
    this.store = PaymentStore.open(join(config.DATA_DIR, 'payment.db'));
    this.relay = new OutboxRelay(this.store.outbox, publisherFor('payment'), clock, log.child({ relay: 'payment' }), { pollMs: config.RELAY_POLL_MS });
    const committed = new Signal();
    committed.on(() => this.relay.wake());
    this.subscriptions = paymentSubscriptions(this.store, gateway, clock, committed);
    this.getByReservation = getPaymentByReservation(this.store);
    this.history = paymentHistory(this.store);
  }

  /** The published events after a position, in commit order, kept as history (a read model's rebuild feed; the live path is the bus). */
  readEvents(afterPosition: number, limit: number): Array<{ position: number; envelope: Envelope }> {
    return this.store.outbox.history(afterPosition, limit).map((r) => ({ position: r.seq, envelope: r.envelope }));
  }

  /** The newest event's position (0 while there is none). */
  headPosition(): number {
    return this.store.outbox.lastSeq();
  }

  /** Publishes what the outbox still owes (after a crash too), then whatever each commit adds. */
  start(): void {
    this.relay.start();
  }

  /** Every payment as recorded here (the consistency auditor compares them with the provider and the reservations). */
  /** Payments of reservations in (after, upTo]; upTo null: no upper bound (the auditor reads a page at a time). */
  auditRecords(after: string, upTo: string | null): PaymentRecord[] {
    return this.store.inRange(after, upTo);
  }

  /** Every message this module published for a reservation, in order (the auditor redelivers them to a consumer that lost them). */
  messagesOf(reservationId: string): Envelope[] {
    return this.store.outbox.historyOf(reservationId).map((h) => h.envelope);
  }

  /** The operator's outage switch, when the configured provider has one. */
  setProviderOutage(on: boolean): { on: boolean } {
    if (!isControl(this.gateway)) throw new Error('the configured payment provider has no outage switch');
    this.gateway.setOutage(on);
    return { on: this.gateway.isInOutage() };
  }

  async stop(): Promise<void> {
    await this.relay.stop();
  }

  close(): void {
    this.store.close();
  }
}
