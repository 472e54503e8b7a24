import type { Clock } from '../../platform/clock';
import type { Logger } from '../../platform/logger';
import { assembleBus, type AssembledBus, type BusOptions } from '../bus-db';
import { MemoryTransport } from './memory-transport';
import { RetryStore } from './retry-store';

export type MemoryBus = AssembledBus;

/** The zero-infrastructure bus: in-process delivery, dead letters and delayed retries in `busFile`. */
export function createMemoryBus(busFile: string, clock: Clock, log: Logger, options: BusOptions = {}): MemoryBus {
  return assembleBus(busFile, (db) => new MemoryTransport(new RetryStore(db), clock, log), clock, log, options);
}
