import type { Clock } from '../../platform/clock';
import type { Logger } from '../../platform/logger';
import { openBusDatabase } from '../bus-db';
import { DeadLetterOperations } from '../dead-letters/operations';
import { SqliteDeadLetterStore } from '../dead-letters/sqlite-store';
import { defaultRetryPolicy, type Transport } from '../ports';
import { MessageBus, type RouterOptions } from '../router';
import { RabbitTransport, type RabbitOptions } from './rabbitmq-transport';

/**
 * The broker bus: RabbitMQ moves the messages; dead letters stay in `busFile` so the same operations and
 * admin API serve them (processes that share a DATA_DIR share one dead-letter store).
 */
export function createRabbitBus(
  busFile: string,
  rabbit: Omit<RabbitOptions, 'retryRounds'>,
  clock: Clock,
  log: Logger,
  options: RouterOptions & { wrap?: (t: Transport) => Transport } = {},
) {
  const db = openBusDatabase(busFile);
  const store = new SqliteDeadLetterStore(db);
  const inner = new RabbitTransport({ ...rabbit, retryRounds: options.retry?.delayed ?? defaultRetryPolicy.delayed }, clock, log);
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
