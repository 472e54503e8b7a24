import { route, type HandlerTable } from '../bus/handler-table';
import type { Clock } from '../platform/clock';
import { iso } from '../platform/clock';
import { applyTrigger, type Applied } from './apply-trigger';
import { RefundRequested } from '../modules/payment/contracts/events';
import { compensations, sagaEvents, steps, type SagaMode } from './definition';
import type { SagaStore } from './infrastructure/saga-store';
import type { SagaRuntime } from './saga-runtime';

/** The saga's consumer group: every event of the definition applied to its instance, one transaction each, deduplicated by the inbox. */
export function sagaHandlers(group: string, store: SagaStore, mode: SagaMode, send: boolean, clock: Clock, onApplied: (a: Applied) => void): HandlerTable {
  return {
    group,
    // The choreography observer only keeps the step log; the orchestrator sends commands.
    leaf: !send,
    routes: sagaEvents.map((contract) =>
      route(contract, async (m) => {
        const reservationId = (m.payload as { reservationId: string }).reservationId;
        const applied = await store.write(() => {
          if (!store.inbox.claim(group, m.envelope.id)) return null;
          return applyTrigger(store, mode, send, { envelope: m.envelope, contract, payload: m.payload, reservationId, attempt: m.attempt }, clock.now());
        });
        if (applied) onApplied(applied);
      }),
    ),
  };
}

const COMPENSATING_TYPES = new Set([...Object.values(compensations).map((c) => c.command.type), RefundRequested.type]);
const FORWARD_TYPES = new Set(Object.values(steps).flatMap((s) => (s.command ? [s.command.type] : [])));
const failureKind = (type: string) => (COMPENSATING_TYPES.has(type) ? 'compensation' : FORWARD_TYPES.has(type) ? 'command' : 'event');

/**
 * Adds a failure to the instance's step log (if the instance exists), at once in its own transaction, so
 * the log shows it by the time the bus has settled.
 */
export function recordFailure(store: SagaStore, clock: Clock, f: Parameters<SagaRuntime['recordFailure']>[0]): void {
  const reservationId = (f.envelope.payload as { reservationId?: unknown } | null)?.reservationId;
  const id = typeof reservationId === 'string' ? reservationId : f.envelope.correlationId;
  store.db.transaction(() => {
    const instance = store.get(id);
    if (!instance) return;
    store.addStep(id, {
      at: iso(clock.now()),
      kind: failureKind(f.envelope.type),
      type: f.envelope.type,
      messageId: f.envelope.id,
      correlationId: f.envelope.correlationId,
      causationId: f.envelope.causationId,
      attempt: f.attempts,
      outcome: `failed: dead-lettered in ${f.group} after ${f.attempts} attempts: ${f.error}`,
      stateBefore: instance.state,
      stateAfter: instance.state,
    });
  }).immediate();
}
