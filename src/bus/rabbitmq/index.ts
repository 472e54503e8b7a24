import type { Clock } from '../../platform/clock';
import type { Logger } from '../../platform/logger';
import { assembleBus, type AssembledBus, type BusOptions } from '../bus-db';
import { defaultRetryPolicy } from '../ports';
import { RabbitTransport, type RabbitOptions } from './rabbitmq-transport';

/**
 * The broker bus: RabbitMQ moves the messages; dead letters stay in `busFile` so the same operations and
 * admin API serve them (processes that share a DATA_DIR share one dead-letter store).
 */
export function createRabbitBus(busFile: string, rabbit: Omit<RabbitOptions, 'retryRounds'>, clock: Clock, log: Logger, options: BusOptions = {}): AssembledBus {
  const retryRounds = options.retry?.delayed ?? defaultRetryPolicy.delayed;
  return assembleBus(busFile, () => new RabbitTransport({ ...rabbit, retryRounds }, clock, log), clock, log, options);
}
