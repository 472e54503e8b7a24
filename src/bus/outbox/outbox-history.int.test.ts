import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEnvelope, defineContract } from '../envelope';
import { openDatabase } from '../../platform/sqlite';
import { tempDir } from '../testing/temp-dir';
import { z } from 'zod';
import { OUTBOX_HISTORY_SQL, OUTBOX_SQL, SqliteOutbox } from './outbox';

const Note = defineContract('test.Note', 1, z.object({ n: z.number() }));
const note = (n: number, key = 'k1') => createEnvelope(Note, { n }, { key, occurredAt: new Date(0).toISOString() });

describe('the outbox keeps what it published as history', () => {
  it('moves a checkpoint instead of deleting: pending shrinks, history stays, by key too', () => {
    const db = openDatabase(join(tempDir('outbox-'), 'm.db'), [OUTBOX_SQL + OUTBOX_HISTORY_SQL]);
    const outbox = new SqliteOutbox(db);
    for (const [n, key] of [[1, 'a'], [2, 'b'], [3, 'a']] as const) outbox.add(note(n, key));
    const [first, second] = outbox.pending(0, 10);
    outbox.markDispatched(second!.seq);
    expect(outbox.pending(0, 10).map((m) => m.envelope.payload)).toEqual([{ n: 3 }]);
    expect(outbox.history(0, 10).map((r) => r.envelope.payload)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(outbox.history(first!.seq, 10)).toHaveLength(2);
    expect(outbox.historyOf('a').map((r) => r.envelope.payload)).toEqual([{ n: 1 }, { n: 3 }]);
    db.close();
  });

  it('upgrades a file written before the history migration: its rows are exactly the undispatched ones', () => {
    const file = join(tempDir('outbox-'), 'old.db');
    const old = openDatabase(file, [OUTBOX_SQL]);
    old.prepare('INSERT INTO outbox (message_id, envelope) VALUES (?, ?)').run('m1', JSON.stringify(note(7)));
    old.close();
    const db = openDatabase(file, [OUTBOX_SQL, OUTBOX_HISTORY_SQL]);
    const outbox = new SqliteOutbox(db);
    expect(outbox.pending(0, 10).map((m) => m.envelope.payload)).toEqual([{ n: 7 }]);
    db.close();
  });
});
