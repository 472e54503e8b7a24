import type { Contract, PayloadOf } from './envelope';
import { NonRetryableError } from './errors';
import type { BatchHandler, EventBus, Message } from './ports';

/** One contract and the handler that runs for it. */
export interface Route<C extends Contract = Contract> {
  readonly contract: C;
  readonly handle: (message: Message<PayloadOf<C>>) => Promise<void>;
}

export const route = <C extends Contract>(contract: C, handle: (message: Message<PayloadOf<C>>) => Promise<void>): Route =>
  ({ contract, handle }) as unknown as Route;

/** A consumer group and its table of contract → handler: everything one group listens to, in one place. */
export interface HandlerTable {
  readonly group: string;
  readonly routes: readonly Route[];
  /** The group only records and sends nothing (see SubscriptionOptions.leaf). */
  readonly leaf?: boolean;
  /** The same handling for several messages at once (SubscriptionOptions.batch): the routes still handle each one alone. */
  readonly batch?: BatchHandler;
}

/** Subscribes a group to every contract of its table; each message runs the handler of its contract. */
export function subscribeTable(bus: EventBus, table: HandlerTable): void {
  // By type, then version: no key string is built per message.
  const byType = new Map<string, Map<number, Route>>();
  for (const r of table.routes) {
    const versions = byType.get(r.contract.type) ?? new Map<number, Route>();
    if (versions.has(r.contract.version)) throw new Error(`group "${table.group}" lists a contract twice`);
    byType.set(r.contract.type, versions.set(r.contract.version, r));
  }
  bus.subscribe(
    table.group,
    table.routes.map((r) => r.contract),
    (m) => {
      const r = byType.get(m.envelope.type)?.get(m.envelope.version);
      if (!r) throw new NonRetryableError(`${table.group} has no handler for ${m.envelope.type} v${m.envelope.version}`);
      return r.handle(m);
    },
    { leaf: table.leaf === true, ...(table.batch ? { batch: table.batch } : {}) },
  );
}
