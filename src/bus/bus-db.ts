import { openDatabase, type Db } from '../platform/sqlite';
import { DEAD_LETTERS_SQL } from './dead-letters/sqlite-store';
import { SCHEDULED_RETRIES_SQL } from './memory/retry-store';

/** bus.db: the dead-letter store and the in-memory transport's delayed retries. */
export const openBusDatabase = (file: string): Db => openDatabase(file, [DEAD_LETTERS_SQL + SCHEDULED_RETRIES_SQL]);
