import { join } from 'node:path';
import type { HandlerTable } from '../bus/handler-table';
import type { Clock } from '../platform/clock';
import { recordFailure, sagaHandlers } from './saga-handlers';
import { SagaStore } from './infrastructure/saga-store';
import type { SagaRuntime } from './saga-runtime';

export const OBSERVER_GROUP = 'saga-observer';

/**
 * Choreography mode's saga log: the modules drive the saga by reacting to each other's events; this
 * consumer group follows the same correlated events through the bus and applies the same definition,
 * so `saga.get` answers with the same states and steps as in orchestration. It sends nothing.
 */
export class SagaObserver implements SagaRuntime {
  readonly mode = 'choreography' as const;
  readonly store: SagaStore;
  readonly subscriptions: HandlerTable;

  constructor(dataDir: string, private readonly clock: Clock) {
    this.store = SagaStore.open(join(dataDir, 'saga.db'));
    this.subscriptions = sagaHandlers(OBSERVER_GROUP, this.store, this.mode, false, clock, () => {});
  }

  start(): void {}

  async stop(): Promise<void> {}

  idle(): Promise<void> {
    return Promise.resolve();
  }

  readonly busy = false;

  recordFailure(f: Parameters<SagaRuntime['recordFailure']>[0]): void {
    recordFailure(this.store, this.clock, f);
  }

  close(): void {
    this.store.close();
  }
}
