import type { Clock } from '../platform/clock';
import type { Logger } from '../platform/logger';
import { openDatabase, type Db } from '../platform/sqlite';
import { GroupReplays } from './dead-letters/group-replays';
import { DeadLetterOperations } from './dead-letters/operations';
import { REPLAY_OPERATIONS_SQL, ReplayOperationStore } from './dead-letters/replay-operation-store';
import { DEAD_LETTER_FINGERPRINTS_SQL, DEAD_LETTERS_SQL, SqliteDeadLetterStore } from './dead-letters/sqlite-store';
import { SCHEDULED_RETRIES_SQL } from './memory/retry-store';
import type { Transport } from './ports';
import { MessageBus, type RouterOptions } from './router';

/** bus.db: the dead-letter store, the in-memory transport's delayed retries, and group replays. Append migrations; never edit one. */
export const openBusDatabase = (file: string): Db =>
  openDatabase(file, [DEAD_LETTERS_SQL + SCHEDULED_RETRIES_SQL, DEAD_LETTER_FINGERPRINTS_SQL + REPLAY_OPERATIONS_SQL]);

export type BusOptions = RouterOptions & { wrap?: (t: Transport) => Transport };

export interface AssembledBus {
  bus: MessageBus;
  deadLetters: DeadLetterOperations;
  /** Background replays of whole failure groups: a Part of the App (start, stop, settle). */
  groupReplays: GroupReplays;
  /** The transport itself, under any test wrapper (readiness asks it whether it is connected). */
  transport: Transport;
  /** bus.db, as far as readiness needs to see it. */
  database: { readonly open: boolean };
  close(): Promise<void>;
}

/**
 * What every transport shares: bus.db with the dead-letter store, the router on top of the transport
 * (optionally wrapped by tests), the dead-letter operations, and closing in order.
 */
export function assembleBus(busFile: string, makeTransport: (db: Db) => Transport, clock: Clock, log: Logger, options: BusOptions = {}): AssembledBus {
  const db = openBusDatabase(busFile);
  const operations = new ReplayOperationStore(db);
  // A dead letter joining a group that is being replayed is counted on that operation, in the same transaction.
  const store = new SqliteDeadLetterStore(db, operations.countNewFailure);
  const inner = makeTransport(db);
  const bus = new MessageBus(options.wrap ? options.wrap(inner) : inner, store, clock, log, options);
  const deadLetters = new DeadLetterOperations(store, bus, clock);
  return {
    bus,
    deadLetters,
    groupReplays: new GroupReplays(operations, deadLetters, (group) => bus.subscribes(group), clock, log),
    transport: inner,
    database: db,
    async close() {
      await bus.close();
      db.close();
    },
  };
}
