import { join } from 'node:path';
import type { HandlerTable } from '../bus/handler-table';
import { OutboxRelay, type Publisher } from '../bus/outbox/relay';
import { iso, type Clock } from '../platform/clock';
import { DeadlineScheduler } from '../platform/deadline-scheduler';
import type { Logger } from '../platform/logger';
import { applyTrigger } from './apply-trigger';
import { recordFailure, sagaHandlers } from './saga-handlers';
import { SagaStore } from './infrastructure/saga-store';
import type { SagaRuntime } from './saga-runtime';

export const ORCHESTRATOR_GROUP = 'saga';
const DEADLINE_BATCH = 500;

/**
 * Orchestration mode's process manager: keeps one instance per reservation in saga.db, applies the
 * definition to every reply, and sends the modules their commands through its own outbox and relay.
 * The payment deadline is armed in saga.db in the same transaction as the state that arms it.
 */
export class SagaOrchestrator implements SagaRuntime {
  readonly mode = 'orchestration' as const;
  readonly store: SagaStore;
  readonly subscriptions: HandlerTable;
  readonly relay: OutboxRelay;
  private readonly deadlines: DeadlineScheduler;

  constructor(dataDir: string, bus: Publisher, private readonly clock: Clock, log: Logger, relayOptions: { pollMs: number }) {
    this.store = SagaStore.open(join(dataDir, 'saga.db'));
    this.relay = new OutboxRelay(this.store.outbox, bus, clock, log.child({ relay: 'saga' }), relayOptions);
    this.subscriptions = sagaHandlers(ORCHESTRATOR_GROUP, this.store, this.mode, true, clock, (a) => {
      if (a.sent > 0) this.relay.wake();
      if (a.armed) this.deadlines.notify(a.armed);
    });
    const expireOne = this.store.db.transaction((reservationId: string, now: number) => {
      this.store.disarmDeadline(reservationId);
      return applyTrigger(this.store, this.mode, true, { envelope: null, contract: null, payload: null, reservationId, attempt: 1 }, now).sent;
    });
    const expireDue = (): number => {
      const now = clock.now();
      let sent = 0;
      for (;;) {
        const due = this.store.dueDeadlines(iso(now), DEADLINE_BATCH);
        for (const id of due) sent += expireOne(id, now);
        if (due.length < DEADLINE_BATCH) break;
      }
      this.store.announceChanges(); // committed outside store.write: tell subscriptions here
      return sent;
    };
    this.deadlines = new DeadlineScheduler(clock, () => this.store.nextDeadline(), expireDue, () => this.relay.wake(), log);
  }

  start(): void {
    this.relay.start();
    this.deadlines.start();
  }

  async stop(): Promise<void> {
    this.deadlines.stop();
    await this.relay.stop();
  }

  idle(): Promise<void> {
    return this.relay.idle();
  }

  get busy(): boolean {
    return this.relay.busy;
  }

  recordFailure(f: Parameters<SagaRuntime['recordFailure']>[0]): void {
    recordFailure(this.store, this.clock, f);
  }

  close(): void {
    this.deadlines.stop();
    this.store.close();
  }
}
