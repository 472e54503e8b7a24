import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { silentLogger } from '../../platform/logger';
import { openDatabase } from '../../platform/sqlite';
import { openBusDatabase } from '../bus-db';
import { createEnvelope, defineContract } from '../envelope';
import { createMemoryBus } from '../memory';
import { SCHEDULED_RETRIES_SQL } from '../memory/retry-store';
import { FakeClock } from '../testing/fake-clock';
import { tempDir } from '../testing/temp-dir';
import { fingerprintOf } from './fingerprint';
import { DEAD_LETTERS_SQL, SqliteDeadLetterStore } from './sqlite-store';

const Ping = defineContract('test.Ping', 1, z.object({ n: z.number() }));
const noRetries = { retry: { immediate: 0, delayed: 0 } };

const charge = (n: number) => {
  throw new Error(`provider down for order ${n}`);
};
const lookup = (n: number) => {
  throw new TypeError(`cannot read order ${n}`);
};

describe('dead-letter groups', () => {
  it('groups dead letters by fingerprint: count, first and last seen, sample; list filters by it', async () => {
    const clock = new FakeClock();
    const bus = createMemoryBus(join(tempDir(), 'bus.db'), clock, silentLogger, noRetries);
    bus.bus.subscribe('g', [Ping], (m) => (m.payload.n < 10 ? charge(m.payload.n) : lookup(m.payload.n)));
    await bus.bus.start();
    const send = (n: number) => bus.bus.publish(createEnvelope(Ping, { n }, { key: `k${n}`, occurredAt: new Date(clock.now()).toISOString() }));
    await send(1);
    await clock.advance(60_000);
    await send(2);
    await send(11);

    const groups = bus.deadLetters.groups();
    expect(groups).toHaveLength(2);
    const byType = Object.fromEntries(groups.map((g) => [g.errorType, g]));
    expect(byType.Error).toMatchObject({ count: 2, group: 'g', type: 'test.Ping', firstSeen: '2026-01-01T00:00:00.000Z', lastSeen: '2026-01-01T00:01:00.000Z' });
    expect(byType.Error!.sampleMessage).toBe('provider down for order 2');
    expect(byType.TypeError).toMatchObject({ count: 1, sampleMessage: 'cannot read order 11' });
    expect(byType.Error!.frames[0]).toMatch(/^charge src\/bus\/dead-letters\/dead-letter-groups\.int\.test\.ts$/);

    const fp = byType.Error!.fingerprint;
    const listed = bus.deadLetters.list({ fingerprint: fp }).items;
    expect(listed.map((d) => d.errorMessage).sort()).toEqual(['provider down for order 1', 'provider down for order 2']);
    expect(listed.every((d) => d.fingerprint === fp && d.errorType === 'Error')).toBe(true);
    expect(byType.Error!.sampleId).toBe(listed.find((d) => d.errorMessage.endsWith('2'))!.id);

    // Only open ones count: a discarded one leaves its group.
    bus.deadLetters.discard(listed[0]!.id);
    expect(bus.deadLetters.groups().find((g) => g.fingerprint === fp)?.count).toBe(1);
    await bus.close();
  });

  it('upgrades a bus.db from before fingerprints: existing dead letters get theirs when it opens', () => {
    const file = join(tempDir(), 'bus.db');
    const old = openDatabase(file, [DEAD_LETTERS_SQL + SCHEDULED_RETRIES_SQL]);
    const stack = (line: number) => `ProviderUnavailableError: down\n    at charge (/old/checkout/src/x.ts:${line}:3)\n    at run (/old/checkout/src/y.ts:9:1)`;
    const insert = old.prepare(`
      INSERT INTO dead_letters (id, group_name, message_id, type, version, envelope, error_message, error_stack, attempts, first_failed_at, last_failed_at)
      VALUES (?, 'payment', ?, 'test.Ping', 1, '{}', ?, ?, 3, 0, 0)`);
    insert.run('a', 'm1', 'down for res-1', stack(10));
    insert.run('b', 'm2', 'down for res-2', stack(12));
    insert.run('c', 'm3', 'no stack for res-3', null);
    old.close();

    const db = openBusDatabase(file);
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    const store = new SqliteDeadLetterStore(db);
    const [a, b, c] = ['a', 'b', 'c'].map((id) => store.get(id)!);
    expect(a).toMatchObject({ errorType: 'ProviderUnavailableError', fingerprint: b!.fingerprint });
    expect(a!.fingerprint).toBe(
      fingerprintOf({ group: 'payment', type: 'test.Ping', errorType: 'ProviderUnavailableError', errorMessage: 'x', errorStack: stack(99) }).fingerprint,
    );
    expect(c).toMatchObject({ errorType: 'Error' });
    expect(c!.fingerprint).not.toBe(a!.fingerprint);
    expect(store.groups().map((g) => g.count).sort()).toEqual([1, 2]);
    db.close();

    // Nothing left to do on the next open, and the rows keep what they got.
    const again = new Database(file);
    expect(again.prepare(`SELECT COUNT(*) AS n FROM dead_letters WHERE fingerprint = ''`).get()).toEqual({ n: 0 });
    again.close();
  });
});
