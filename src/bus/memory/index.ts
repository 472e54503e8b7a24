import type { Clock } from '../../platform/clock';
import type { Logger } from '../../platform/logger';
import { openBusDatabase } from '../bus-db';
import { DeadLetterOperations } from '../dead-letters/operations';
import { SqliteDeadLetterStore } from '../dead-letters/sqlite-store';
import type { Transport } from '../ports';
import { MessageBus, type RouterOptions } from '../router';
import { MemoryTransport } from './memory-transport';
import { RetryStore } from './retry-store';

export interface MemoryBus {
  bus: MessageBus;
  deadLetters: DeadLetterOperations;
  close(): Promise<void>;
}

/** The zero-infrastructure bus: in-process delivery, dead letters and delayed retries in `busFile`. */
export function createMemoryBus(
  busFile: string,
  clock: Clock,
  log: Logger,
  options: RouterOptions & { wrap?: (t: Transport) => Transport } = {},
): MemoryBus {
  const db = openBusDatabase(busFile);
  const store = new SqliteDeadLetterStore(db);
  const inner = new MemoryTransport(new RetryStore(db), clock, log);
  const transport = options.wrap ? options.wrap(inner) : inner;
  const bus = new MessageBus(transport, store, clock, log, options);
  return {
    bus,
    deadLetters: new DeadLetterOperations(store, bus, clock),
    async close() {
      await bus.close();
      db.close();
    },
  };
}
