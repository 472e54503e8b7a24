import { join } from 'node:path';
import { inject, injectable } from 'tsyringe';
import type { Envelope } from '../../bus/envelope';
import type { HandlerTable } from '../../bus/handler-table';
import { OutboxRelay, type Publisher } from '../../bus/outbox/relay';
import type { Config } from '../../config';
import type { Clock } from '../../platform/clock';
import { DeadlineScheduler } from '../../platform/deadline-scheduler';
import type { Logger } from '../../platform/logger';
import { KeyedSignal } from '../../platform/keyed-signal';
import { Signal } from '../../platform/signal';
import { CLOCK, CONFIG, LOGGER, OUTBOX_PUBLISHER } from '../../platform/tokens';
import { cancelReservation } from './application/cancel-reservation';
import { createReservation } from './application/create-reservation';
import { expireReservations } from './application/expire-reservations';
import { followReservation } from './application/follow-reservation';
import { getReservation, listReservations } from './application/queries';
import { reservationHistory } from './application/reservation-history';
import { ReservationStore } from './infrastructure/reservation-store';
import type { HeldCursor, ReservationRecord } from './infrastructure/reservation-view';
import { reservationSubscriptions } from './subscriptions';

export { createReservationInput, type CreateReservationInput } from './application/create-reservation';
export { cancelReservationInput } from './application/cancel-reservation';
export { getReservationInput, listReservationsInput } from './application/queries';
export { reservationHistoryInput, type ReservationHistoryEntry } from './application/reservation-history';
export { followReservationInput, type ReservationChange } from './application/follow-reservation';
export type { ReservationRecord } from './infrastructure/reservation-view';
export { createReservationRouter } from './api/router';

/**
 * The reservation module's facade: the only entry for api/ and the composition root. It owns
 * reservation.db, its event store (which is also its outbox) with the relay that publishes it, and the
 * payment-deadline timer (used when the saga definition gives the deadline to this module).
 */
@injectable()
export class ReservationModule {
  readonly store: ReservationStore;
  /** Its consumer group and handlers; the saga definition decides which messages reach them. */
  readonly subscriptions: HandlerTable;
  readonly relay: OutboxRelay;
  private readonly deadlines: DeadlineScheduler;
  private expiring = false;
  readonly create;
  readonly cancel;
  readonly get;
  readonly list;
  readonly history;
  /** `reservation.onChange`: an async iterable of the reservation's state changes (see follow-reservation.ts). */
  readonly follow;
  /** "Reservation <id> changed", after each commit that appended to its stream. */
  readonly changed = new KeyedSignal();

  constructor(@inject(CONFIG) config: Config, @inject(OUTBOX_PUBLISHER) publisherFor: (name: string) => Publisher, @inject(CLOCK) clock: Clock, @inject(LOGGER) log: Logger) {
    this.store = ReservationStore.open(join(config.DATA_DIR, 'reservation.db'));
    this.relay = new OutboxRelay(this.store.events, publisherFor('reservation'), clock, log.child({ relay: 'reservation' }), { pollMs: config.RELAY_POLL_MS });
    const committed = new Signal();
    committed.on(() => {
      this.relay.wake();
      for (const id of this.store.events.takeAppended()) this.changed.notify(id);
    });
    const create = createReservation(this.store, clock, config.PAYMENT_DEADLINE_MS);
    const cancel = cancelReservation(this.store, clock);
    this.deadlines = new DeadlineScheduler(clock, () => this.store.view.nextDeadline(), expireReservations(this.store, clock), () => committed.notify(), log);
    this.create = async (input: Parameters<typeof create>[0], traceHeaders?: Parameters<typeof create>[1]) => {
      const result = await create(input, traceHeaders);
      if (result.created) {
        committed.notify();
        if (this.expiring) this.deadlines.notify(result.reservation.paymentDeadline);
      }
      return result;
    };
    this.cancel = async (input: Parameters<typeof cancel>[0]) => {
      const result = await cancel(input);
      if (result.changed) committed.notify();
      return result.reservation;
    };
    this.get = getReservation(this.store);
    this.list = listReservations(this.store);
    this.history = reservationHistory(this.store);
    this.follow = followReservation(this.store, this.changed);
    this.subscriptions = reservationSubscriptions(this.store, clock, committed);
  }

  /** Every reservation's current state (the consistency auditor's starting point). */
  /** Reservations after `after` in id order, at most `limit` (the auditor reads them a page at a time). */
  auditRecords(after: string, limit: number): ReservationRecord[] {
    return this.store.view.after(after, limit);
  }

  /** Reservations that hold their slot, by resource, start and id, after `after`, at most `limit`. */
  heldSlots(after: HeldCursor | null, limit: number): ReservationRecord[] {
    return this.store.view.held(after, limit);
  }

  /** A reservation's event stream as published (the auditor redelivers it to a consumer that lost it). */
  messagesOf(id: string): Envelope[] {
    return this.store.events.envelopesOf(id);
  }

  /**
   * The event history after a position, in commit order (a read model's rebuild feed; the live path is
   * the bus). Payloads are whole: ReservationCreated carries the payment token, which a reader must not keep.
   */
  readEvents(afterPosition: number, limit: number): Array<{ position: number; envelope: Envelope }> {
    return this.store.events.after(afterPosition, limit);
  }

  /** The newest event's position (0 while there is none). */
  headPosition(): number {
    return this.store.events.lastPosition();
  }

  /** Publishes what the event store still owes the bus (after a crash too), then whatever each commit adds. */
  start(): void {
    this.relay.start();
  }

  /** Cancels PENDING reservations at their payment deadline (re-armed from reservation.db after a restart). */
  startDeadlines(): void {
    this.expiring = true;
    this.deadlines.start();
  }

  async stop(): Promise<void> {
    this.deadlines.stop();
    await this.relay.stop();
  }

  close(): void {
    this.deadlines.stop();
    this.store.close();
  }
}
