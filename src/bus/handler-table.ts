import type { Contract, PayloadOf } from './envelope';
import { NonRetryableError } from './errors';
import type { EventBus, Message } from './ports';

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
}

/** Subscribes a group to every contract of its table; each message runs the handler of its contract. */
export function subscribeTable(bus: EventBus, table: HandlerTable): void {
  const byName = new Map(table.routes.map((r) => [r.contract.name, r]));
  if (byName.size !== table.routes.length) throw new Error(`group "${table.group}" lists a contract twice`);
  bus.subscribe(
    table.group,
    table.routes.map((r) => r.contract),
    (m) => {
      const r = byName.get(`${m.envelope.type}.v${m.envelope.version}`);
      if (!r) throw new NonRetryableError(`${table.group} has no handler for ${m.envelope.type} v${m.envelope.version}`);
      return r.handle(m);
    },
    { leaf: table.leaf === true },
  );
}
