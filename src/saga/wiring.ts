import { route, subscribeTable, type HandlerTable, type Route } from '../bus/handler-table';
import type { EventBus, Message } from '../bus/ports';
import { choreography, type SagaMode } from './definition';
import type { SagaRuntime } from './saga-runtime';

const DONE = Promise.resolve();

type Entry = (typeof choreography)[number];

/**
 * The event's message seen as the command its handler expects: same envelope, log and attempt, the
 * payload translated. The logger is read through, not copied: reading it builds the correlated child
 * logger, which most deliveries never need (one per choreographed delivery showed in allocation profiles).
 */
class TranslatedMessage implements Message<unknown> {
  constructor(
    private readonly original: Message<unknown>,
    readonly payload: unknown,
  ) {}
  get envelope() {
    return this.original.envelope;
  }
  get log() {
    return this.original.log;
  }
  get attempt() {
    return this.original.attempt;
  }
}

/**
 * The modules' handler tables, rewired for choreography: each saga command a module handles runs on the
 * event the definition maps to it, translated by the definition's builder; other routes stay as they are.
 */
export function choreographed(table: HandlerTable): HandlerTable {
  const routes: Route[] = [];
  for (const r of table.routes) {
    const entries = choreography.filter((c) => c.command === r.contract);
    if (entries.length === 0) {
      routes.push(r);
      continue;
    }
    for (const c of entries as readonly Entry[]) {
      const when = 'when' in c ? (c.when as (p: unknown) => boolean) : () => true;
      const build = c.build as (p: unknown) => unknown;
      routes.push(
        route(c.on, (m) => (when(m.payload) ? r.handle(new TranslatedMessage(m, build(m.payload))) : DONE)),
      );
    }
  }
  return { group: table.group, routes, ...(table.leaf ? { leaf: true } : {}) };
}

/**
 * Registers what the definition says runs in `mode`: in orchestration the modules handle the commands
 * the orchestrator sends; in choreography they handle each other's events. The saga's own group
 * (orchestrator or observer) listens to every saga event either way.
 */
export function wireSaga(bus: EventBus, mode: SagaMode, modules: readonly HandlerTable[], saga: SagaRuntime | null): void {
  for (const table of modules) subscribeTable(bus, mode === 'choreography' ? choreographed(table) : table);
  if (saga) subscribeTable(bus, saga.subscriptions);
}
