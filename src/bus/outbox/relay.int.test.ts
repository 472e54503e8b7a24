import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { silentLogger } from '../../platform/logger';
import { openDatabase } from '../../platform/sqlite';
import { createEnvelope, defineContract } from '../envelope';
import { INBOX_SQL, Inbox } from '../inbox/inbox';
import { createMemoryBus } from '../memory';
import { FakeClock } from '../testing/fake-clock';
import { tempDir } from '../testing/temp-dir';
import { OUTBOX_HISTORY_SQL, OUTBOX_SQL, SqliteOutbox } from './outbox';
import { OutboxRelay } from './relay';

const Added = defineContract('test.Added', 1, z.object({ n: z.number() }));

/** A tiny module: a counter table changed together with its outbox in one transaction. */
function openModule(file: string) {
  const db = openDatabase(file, [OUTBOX_SQL + OUTBOX_HISTORY_SQL + INBOX_SQL + 'CREATE TABLE counter (n INTEGER);']);
  const outbox = new SqliteOutbox(db);
  const add = db.transaction((n: number) => {
    db.prepare('INSERT INTO counter VALUES (?)').run(n);
    outbox.add(createEnvelope(Added, { n }, { key: 'c', occurredAt: new Date().toISOString() }));
  });
  return { db, outbox, add };
}

/** Commits row `n` and lets the relay publish what it finds. */
async function addAndDrain(mod: ReturnType<typeof openModule>, relay: OutboxRelay, n: number): Promise<void> {
  mod.add(n);
  relay.wake();
  await relay.idle();
}

describe('transactional outbox and relay', () => {
  it('delivers rows left undispatched by a crash once the module reopens', async () => {
    const dir = tempDir();
    const clock = new FakeClock();
    const mod = openModule(join(dir, 'm.db'));
    mod.add(1);
    mod.add(2);
    mod.db.close(); // crash before any relay ran

    const { bus, close } = createMemoryBus(join(dir, 'bus.db'), clock, silentLogger);
    const got: number[] = [];
    bus.subscribe('g', [Added], (m) => void got.push(m.payload.n));
    await bus.start();
    const reopened = openModule(join(dir, 'm.db'));
    const relay = new OutboxRelay(reopened.outbox, bus, clock, silentLogger);
    relay.start();
    await relay.idle();
    await bus.idle();
    expect(got).toEqual([1, 2]);
    expect(reopened.outbox.pending(0, 10)).toEqual([]);
    await relay.stop();
    await close();
  });

  it('reads every batch a crash left, not only the first', async () => {
    const dir = tempDir();
    const clock = new FakeClock();
    const mod = openModule(join(dir, 'm.db'));
    for (const n of [1, 2, 3]) mod.add(n);
    mod.db.close();
    const reopened = openModule(join(dir, 'm.db'));
    const published: number[] = [];
    const bus = { publish: async (envs: readonly { payload: unknown }[]) => void published.push(...envs.map((e) => (e.payload as { n: number }).n)) };
    const relay = new OutboxRelay(reopened.outbox, bus, clock, silentLogger, { batchSize: 1 });
    relay.start();
    await relay.idle();
    expect(published).toEqual([1, 2, 3]);
    expect(reopened.outbox.pending(0, 10)).toEqual([]);
    await relay.stop();
  });

  it('wakes on commit without waiting for the poll, and keeps rows whose publish failed', async () => {
    const clock = new FakeClock();
    const mod = openModule(join(tempDir(), 'm.db'));
    let fail = true;
    const published: number[] = [];
    const bus = {
      publish: async (envs: readonly { payload: unknown }[]) => {
        if (fail) throw new Error('broker down');
        for (const e of envs) published.push((e.payload as { n: number }).n);
      },
    };
    const relay = new OutboxRelay(mod.outbox, bus, clock, silentLogger, { pollMs: 60_000, failureBackoffMs: 500 });
    relay.start();
    mod.add(1);
    relay.wake();
    await relay.idle();
    expect(published).toEqual([]);
    expect(mod.outbox.pending(0, 10)).toHaveLength(1);
    fail = false;
    await clock.advance(500, () => relay.idle());
    expect(published).toEqual([1]);
    mod.add(2);
    relay.wake();
    await relay.idle();
    expect(published).toEqual([1, 2]);
    await relay.stop();
  });

  it('tries once per backoff while the transport is down, however many commits wake it', async () => {
    const clock = new FakeClock();
    const mod = openModule(join(tempDir(), 'm.db'));
    let fail = true;
    let attempts = 0;
    const published: number[] = [];
    const bus = {
      publish: async (envs: readonly { payload: unknown }[]) => {
        attempts++;
        if (fail) throw new Error('broker unreachable');
        for (const e of envs) published.push((e.payload as { n: number }).n);
      },
    };
    const relay = new OutboxRelay(mod.outbox, bus, clock, silentLogger, { pollMs: 60_000, failureBackoffMs: 1_000 });
    relay.start();
    mod.add(0);
    relay.wake();
    await relay.idle();
    expect(attempts).toBe(1);
    // A steady stream of commits during the outage: each wakes the relay, none makes it try again early.
    for (let n = 1; n <= 200; n++) {
      mod.add(n);
      relay.wake();
      await relay.idle();
    }
    expect(attempts).toBe(1);
    await clock.advance(1_000, () => relay.idle()); // the backoff is over: one more try (still down)
    expect(attempts).toBe(2);
    fail = false;
    await clock.advance(1_000, () => relay.idle()); // back: everything kept is published, in order
    expect(published).toEqual(Array.from({ length: 201 }, (_, n) => n));
    expect(mod.outbox.pending(0, 1_000)).toEqual([]);
    await relay.stop();
  });
});

describe('idempotent inbox', () => {
  it('handles the same message delivered twice only once', async () => {
    const dir = tempDir();
    const clock = new FakeClock();
    const db = openDatabase(join(dir, 'c.db'), [INBOX_SQL + 'CREATE TABLE total (n INTEGER); INSERT INTO total VALUES (0);']);
    const inbox = new Inbox(db);
    const handle = db.transaction((id: string, n: number) => {
      if (inbox.seen('g', id)) return;
      db.prepare('UPDATE total SET n = n + ?').run(n);
      inbox.record('g', id);
    });
    const { bus, close } = createMemoryBus(join(dir, 'bus.db'), clock, silentLogger);
    bus.subscribe('g', [Added], (m) => handle(m.envelope.id, m.payload.n));
    await bus.start();
    const e = createEnvelope(Added, { n: 5 }, { key: 'c', occurredAt: new Date().toISOString() });
    await bus.publish([e, e]);
    await bus.publish(e);
    expect(db.prepare('SELECT n FROM total').pluck().get()).toBe(5);
    await close();
  });
});

describe('relay with batches finishing out of order', () => {
  it('checkpoints only the completed prefix and still delivers everything', async () => {
    const clock = new FakeClock();
    const mod = openModule(join(tempDir(), 'm.db'));
    const pending: Array<() => void> = [];
    const published: number[] = [];
    // The first batch is held back; later ones complete at once.
    const bus = {
      publish: (envs: readonly { payload: unknown }[]) => {
        const ns = envs.map((e) => (e.payload as { n: number }).n);
        if (ns.includes(1)) return new Promise<void>((resolve) => pending.push(() => (published.push(...ns), resolve())));
        published.push(...ns);
        return Promise.resolve();
      },
    };
    const relay = new OutboxRelay(mod.outbox, bus, clock, silentLogger, { batchSize: 1, maxInFlight: 4 });
    relay.start();
    for (const n of [1, 2, 3]) {
      mod.add(n);
      relay.wake();
    }
    await Promise.resolve();
    expect(published).toEqual([2, 3]);
    expect(mod.outbox.pending(0, 10)).toHaveLength(3); // nothing checkpointed past the held batch
    pending.shift()!();
    await relay.idle();
    expect(published.sort()).toEqual([1, 2, 3]);
    expect(mod.outbox.pending(0, 10)).toEqual([]);
    await relay.stop();
  });

  it('reads the outbox once for a drain that finds less than a batch, and again after the next commit', async () => {
    const clock = new FakeClock();
    const mod = openModule(join(tempDir(), 'm.db'));
    let reads = 0;
    const source = {
      pending: (after: number, limit: number) => (reads++, mod.outbox.pending(after, limit)),
      markDispatched: (seq: number) => mod.outbox.markDispatched(seq),
    };
    const published: number[] = [];
    const bus = { publish: async (envs: readonly { payload: unknown }[]) => void published.push(...envs.map((e) => (e.payload as { n: number }).n)) };
    const relay = new OutboxRelay(source, bus, clock, silentLogger, { batchSize: 10 });
    mod.add(1);
    mod.add(2);
    relay.start();
    await relay.idle();
    // One read found both rows; after the publish settled, one more found nothing new.
    expect(reads).toBe(2);
    await addAndDrain(mod, relay, 3);
    expect(published).toEqual([1, 2, 3]);
    expect(mod.outbox.pending(0, 10)).toEqual([]);
    await relay.stop();
  });

  it('asks the file nothing when it wrote nothing since the last read, and its safety poll reads the file itself', async () => {
    const clock = new FakeClock();
    const mod = openModule(join(tempDir(), 'm.db'));
    const published: number[] = [];
    const bus = { publish: async (envs: readonly { payload: unknown }[]) => void published.push(...envs.map((e) => (e.payload as { n: number }).n)) };
    const relay = new OutboxRelay(mod.outbox, bus, clock, silentLogger, { pollMs: 1_000 });
    mod.add(1);
    relay.start();
    await relay.idle();
    expect(published).toEqual([1]);
    // A row this outbox did not write (no such writer exists in the app: the data directory's lock) shows
    // that a wake now answers from memory: nothing written here since the read, so nothing is read.
    const foreign = createEnvelope(Added, { n: 2 }, { key: 'c', occurredAt: new Date().toISOString() });
    mod.db.prepare('INSERT INTO outbox (message_id, envelope, message_key) VALUES (?, ?, ?)').run(foreign.id, JSON.stringify(foreign), foreign.key);
    relay.wake();
    await relay.idle();
    expect(published).toEqual([1]);
    // The safety poll reads from the checkpoint, so even such a row goes out within one poll.
    await clock.advance(1_000, () => relay.idle());
    expect(published).toEqual([1, 2]);
    // A row written here is read on the next wake, as always.
    await addAndDrain(mod, relay, 3);
    expect(published).toEqual([1, 2, 3]);
    await relay.stop();
  });
});
