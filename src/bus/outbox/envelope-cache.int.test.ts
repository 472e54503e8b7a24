import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { EventStore } from '../../modules/reservation/infrastructure/event-store';
import { RESERVATION_MIGRATIONS } from '../../modules/reservation/infrastructure/schema';
import { openDatabase } from '../../platform/sqlite';
import { createEnvelope, defineContract } from '../envelope';
import { tempDir } from '../testing/temp-dir';
import { OUTBOX_HISTORY_SQL, OUTBOX_SQL, SqliteOutbox } from './outbox';

const Noted = defineContract('test.Noted', 1, z.object({ n: z.number() }));
const envelope = (n: number, key = 'k') => createEnvelope(Noted, { n }, { key, occurredAt: '2030-01-01T00:00:00.000Z' });

/**
 * The relays read back positions and identities only and take the envelopes this process wrote from a
 * cache. A position freed by a rollback can be reused: what the relay publishes must be what is committed.
 */
describe('the relay reads what is committed, not what was cached', () => {
  it('outbox: a rolled-back write is not published when another writer reuses its position', () => {
    const db = openDatabase(join(tempDir('cache-'), 'm.db'), [OUTBOX_SQL + OUTBOX_HISTORY_SQL]);
    const outbox = new SqliteOutbox(db);
    const first = envelope(1);
    outbox.add(first);
    expect(() =>
      db.transaction(() => {
        outbox.add(envelope(2)); // remembered at position 2, then rolled back
        throw new Error('rolled back');
      })(),
    ).toThrow('rolled back');
    const other = envelope(3);
    db.prepare('INSERT INTO outbox (message_id, envelope) VALUES (?, ?)').run(other.id, JSON.stringify(other)); // not through the cache
    const pending = outbox.pending(0, 10);
    expect(pending.map((p) => p.seq)).toEqual([1, 2]);
    expect(pending[0]?.envelope).toBe(first); // written here: the very object, not parsed again
    expect(pending[1]?.envelope).toEqual(other);
    db.close();
  });

  it('event store: the same, with the position identified by its stream', () => {
    const db = openDatabase(join(tempDir('cache-'), 'reservation.db'), RESERVATION_MIGRATIONS);
    const events = new EventStore(db);
    const first = envelope(1, 's1');
    events.append('s1', 0, [first]);
    expect(() =>
      db.transaction(() => {
        events.append('s2', 0, [envelope(2, 's2')]);
        throw new Error('rolled back');
      })(),
    ).toThrow('rolled back');
    const other = envelope(3, 's3');
    db.prepare('INSERT INTO events (stream_id, version, type, envelope) VALUES (?, ?, ?, ?)').run('s3', 1, other.type, JSON.stringify(other));
    const pending = events.pending(0, 10);
    expect(pending.map((p) => p.seq)).toEqual([1, 2]);
    expect(pending[0]?.envelope).toBe(first);
    expect(pending[1]?.envelope).toEqual(other);
    db.close();
  });
});
