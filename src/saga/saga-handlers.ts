import { route, type HandlerTable } from '../bus/handler-table';
import type { Clock } from '../platform/clock';
import { iso } from '../platform/clock';
import { applyTrigger, type Applied } from './apply-trigger';
import { sagaEvents, type SagaMode } from './definition';
import type { SagaStore } from './infrastructure/saga-store';
import type { SagaRuntime } from './saga-runtime';

/** The saga's consumer group: every event of the definition applied to its instance, one transaction each, deduplicated by the inbox. */
export function sagaHandlers(group: string, store: SagaStore, mode: SagaMode, send: boolean, clock: Clock, onApplied: (a: Applied) => void): HandlerTable {
  return {
    group,
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

/** Adds a failure to the instance's step log (if the instance exists). */
export function recordFailure(store: SagaStore, clock: Clock, f: Parameters<SagaRuntime['recordFailure']>[0]): Promise<void> {
  const reservationId = (f.envelope.payload as { reservationId?: unknown } | null)?.reservationId;
  const id = typeof reservationId === 'string' ? reservationId : f.envelope.correlationId;
  return store.write(() => {
    const instance = store.get(id);
    if (!instance) return;
    const compensation = instance.state === 'COMPENSATING' || /Refund/.test(f.envelope.type);
    store.addStep(id, {
      at: iso(clock.now()),
      kind: compensation ? 'compensation' : 'event',
      type: f.envelope.type,
      messageId: f.envelope.id,
      correlationId: f.envelope.correlationId,
      causationId: f.envelope.causationId,
      attempt: f.attempts,
      outcome: `failed: dead-lettered in ${f.group} after ${f.attempts} attempts: ${f.error}`,
      stateBefore: instance.state,
      stateAfter: instance.state,
    });
  });
}
