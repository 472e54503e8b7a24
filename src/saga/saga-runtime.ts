import type { HandlerTable } from '../bus/handler-table';
import type { SagaMode } from './definition';
import type { SagaStore } from './infrastructure/saga-store';

/** What the composition root and the API need of the saga's runner in either mode. */
export interface SagaRuntime {
  readonly mode: SagaMode;
  readonly store: SagaStore;
  /** Its consumer group and handlers (the orchestrator's, or the observer's). */
  readonly subscriptions: HandlerTable;
  start(): void;
  stop(): Promise<void>;
  /** Resolves when nothing it started is in flight (its relay, in orchestration). */
  idle(): Promise<void>;
  readonly busy: boolean;
  /** A dead letter of this saga's messages: logged on its instance, never swallowed. */
  recordFailure(failure: { group: string; envelope: { id: string; type: string; correlationId: string; causationId: string | null; payload: unknown }; error: string; attempts: number }): void;
  close(): void;
}
