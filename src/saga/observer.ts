import { join } from 'node:path';
import type { HandlerTable } from '../bus/handler-table';
import type { Clock } from '../platform/clock';
import type { ThreadWriter, WriterFactory } from '../platform/writer-thread/client';
import { recordFailure, sagaHandlers } from './saga-handlers';
import { SagaStore } from './infrastructure/saga-store';
import { OBSERVER_GROUP, OBSERVER_WRITER, threadObserverHandlers, type ObserveItem } from './observer-writer';
import type { SagaRuntime } from './saga-runtime';

export { OBSERVER_GROUP };

/**
 * Choreography mode's saga log: the modules drive the saga by reacting to each other's events; this
 * consumer group follows the same correlated events through the bus and applies the same definition,
 * so `saga.get` answers with the same states and steps as in orchestration. It sends nothing. With a
 * writer thread (the default), its writes run there (observer-writer.ts).
 */
export class SagaObserver implements SagaRuntime {
  readonly mode = 'choreography' as const;
  readonly store: SagaStore;
  readonly subscriptions: HandlerTable;

  private readonly writer: ThreadWriter<ObserveItem, boolean> | null;

  constructor(dataDir: string, private readonly clock: Clock, writers: WriterFactory | null = null) {
    const file = join(dataDir, 'saga.db');
    this.store = SagaStore.open(file);
    this.writer = writers ? writers<ObserveItem, boolean>(OBSERVER_WRITER, file) : null;
    this.subscriptions = this.writer ? threadObserverHandlers(this.writer, this.store, clock) : sagaHandlers(OBSERVER_GROUP, this.store, this.mode, false, clock, () => {});
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
    this.writer?.close();
    this.store.close();
  }
}
