import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConflictError, ModuleNotHereError, NotFoundError } from '../../platform/errors';
import { silentLogger } from '../../platform/logger';
import { createEnvelope, defineContract } from '../envelope';
import { createMemoryBus, type MemoryBus } from '../memory';
import { FakeClock } from '../testing/fake-clock';
import { tempDir } from '../testing/temp-dir';

const Ping = defineContract('test.Ping', 1, z.object({ n: z.number() }));

/** A handler that fails for the numbers in `failing`, and waits at a gate for the number in `holdAt`. */
class Handler {
  failing = new Set<number>();
  handled: number[] = [];
  private hold: { n: number; entered: () => void; release: Promise<void> } | null = null;

  /** The next delivery of `n` waits until `release` is called; `entered` resolves once it waits. */
  holdAt(n: number) {
    let entered!: () => void;
    let release!: () => void;
    const enteredP = new Promise<void>((r) => (entered = r));
    this.hold = { n, entered, release: new Promise<void>((r) => (release = r)) };
    return { entered: enteredP, release };
  }

  readonly handle = async (n: number): Promise<void> => {
    if (this.hold?.n === n) {
      const h = this.hold;
      this.hold = null;
      h.entered();
      await h.release;
    }
    if (this.failing.has(n)) throw new Error(`down for ${n}`);
    this.handled.push(n);
  };
}

const buses: MemoryBus[] = [];
afterEach(async () => {
  for (const b of buses.splice(0)) await b.close();
});

async function open(file: string, clock: FakeClock, handler: Handler, group = 'g') {
  const b = createMemoryBus(file, clock, silentLogger, { retry: { immediate: 0, delayed: 0 } });
  buses.push(b);
  b.bus.subscribe(group, [Ping], (m) => handler.handle(m.payload.n));
  await b.bus.start();
  b.groupReplays.start();
  return b;
}

/** Dead-letters messages 1..count in group g, all failing the same way, and returns their fingerprint. */
async function deadLetter(b: MemoryBus, clock: FakeClock, handler: Handler, ns: number[]) {
  for (const n of ns) handler.failing.add(n);
  for (const n of ns) await b.bus.publish(createEnvelope(Ping, { n }, { key: `k${n}`, occurredAt: new Date(clock.now()).toISOString() }));
  for (const n of ns) handler.failing.delete(n);
  const [group] = b.deadLetters.groups();
  expect(group?.count).toBe(ns.length);
  return group!.fingerprint;
}

describe('group replays', () => {
  it('replays every open dead letter of a group one at a time and completes with done = total', async () => {
    const clock = new FakeClock();
    const handler = new Handler();
    const b = await open(join(tempDir(), 'bus.db'), clock, handler);
    const fp = await deadLetter(b, clock, handler, [1, 2, 3]);

    const { operationId } = b.groupReplays.replayGroup(fp);
    expect(b.groupReplays.get(operationId)).toMatchObject({ status: 'running', total: 3, done: 0, fingerprint: fp, group: 'g', type: 'test.Ping', errorType: 'Error' });
    await b.groupReplays.idle();

    expect(handler.handled).toEqual([1, 2, 3]);
    expect(b.groupReplays.get(operationId)).toMatchObject({ status: 'completed', total: 3, done: 3, failed: 0, failures: [], newFailuresDuringReplay: 0, endedAt: expect.any(String) });
    expect(b.deadLetters.groups()).toEqual([]);
    expect(b.groupReplays.list({}).map((o) => o.id)).toEqual([operationId]);
  });

  it('records a dead letter that fails again with its error and carries on with the rest', async () => {
    const clock = new FakeClock();
    const handler = new Handler();
    const b = await open(join(tempDir(), 'bus.db'), clock, handler);
    const fp = await deadLetter(b, clock, handler, [1, 2, 3]);
    const second = b.deadLetters.list({ fingerprint: fp }).items[1]!;
    handler.failing.add(2);

    const { operationId } = b.groupReplays.replayGroup(fp);
    await b.groupReplays.idle();
    expect(handler.handled).toEqual([1, 3]);
    expect(b.groupReplays.get(operationId)).toMatchObject({
      status: 'completed',
      total: 3,
      done: 3,
      failed: 1,
      failures: [{ id: second.id, error: 'down for 2' }],
      // Its own replay failing is a failure of the operation, not a new failure.
      newFailuresDuringReplay: 0,
    });
    expect(b.deadLetters.groups()).toMatchObject([{ fingerprint: fp, count: 1 }]);
  });

  it('counts dead letters that join the fingerprint while it runs', async () => {
    const clock = new FakeClock();
    const handler = new Handler();
    const b = await open(join(tempDir(), 'bus.db'), clock, handler);
    const fp = await deadLetter(b, clock, handler, [1, 2]);
    const held = handler.holdAt(1);
    const { operationId } = b.groupReplays.replayGroup(fp);
    await held.entered;

    handler.failing.add(9);
    await b.bus.publish(createEnvelope(Ping, { n: 9 }, { key: 'k9', occurredAt: new Date(clock.now()).toISOString() }));
    held.release();
    await b.groupReplays.idle();

    expect(b.groupReplays.get(operationId)).toMatchObject({ status: 'completed', total: 2, done: 2, failed: 0, newFailuresDuringReplay: 1 });
    expect(b.deadLetters.groups()).toMatchObject([{ fingerprint: fp, count: 1 }]);
  });

  it('cancel stops after the replay in flight; what was replayed stays replayed', async () => {
    const clock = new FakeClock();
    const handler = new Handler();
    const b = await open(join(tempDir(), 'bus.db'), clock, handler);
    const fp = await deadLetter(b, clock, handler, [1, 2, 3]);
    const held = handler.holdAt(2);
    const { operationId } = b.groupReplays.replayGroup(fp);
    await held.entered;

    expect(b.groupReplays.cancel(operationId)).toMatchObject({ status: 'cancelled', done: 1 });
    held.release();
    await b.groupReplays.idle();

    expect(handler.handled).toEqual([1, 2]);
    expect(b.groupReplays.get(operationId)).toMatchObject({ status: 'cancelled', total: 3, done: 2 });
    expect(b.deadLetters.groups()).toMatchObject([{ fingerprint: fp, count: 1 }]);
    expect(b.groupReplays.cancel(operationId).status).toBe('cancelled'); // again: no error
  });

  it('resumes a running operation when the next process starts, replaying the item that was in flight', async () => {
    const file = join(tempDir(), 'bus.db');
    const clock = new FakeClock();
    const first = new Handler();
    const a = await open(file, clock, first);
    const fp = await deadLetter(a, clock, first, [1, 2, 3]);
    const held = first.holdAt(2);
    const { operationId } = a.groupReplays.replayGroup(fp);
    await held.entered;
    // The first process hangs here as if killed; the next one opens the same bus.db.

    const second = new Handler();
    const b = await open(file, clock, second);
    await b.groupReplays.idle();
    expect(second.handled).toEqual([2, 3]);
    expect(b.groupReplays.get(operationId)).toMatchObject({ status: 'completed', total: 3, done: 3, failed: 0 });

    // The process thought dead wakes up: its late result is not counted a second time.
    held.release();
    await a.groupReplays.idle();
    expect(b.groupReplays.get(operationId)).toMatchObject({ status: 'completed', done: 3 });
  });

  it('an operation created before start waits in bus.db and runs once started', async () => {
    const clock = new FakeClock();
    const handler = new Handler();
    const b = createMemoryBus(join(tempDir(), 'bus.db'), clock, silentLogger, { retry: { immediate: 0, delayed: 0 } });
    buses.push(b);
    b.bus.subscribe('g', [Ping], (m) => handler.handle(m.payload.n));
    await b.bus.start();
    const fp = await deadLetter(b, clock, handler, [1]);
    const { operationId } = b.groupReplays.replayGroup(fp);
    await b.groupReplays.idle();
    expect(b.groupReplays.get(operationId)).toMatchObject({ status: 'running', done: 0 });
    b.groupReplays.start();
    await b.groupReplays.idle();
    expect(b.groupReplays.get(operationId)).toMatchObject({ status: 'completed', done: 1 });
  });

  it('refuses what it cannot do with an error that says why', async () => {
    const file = join(tempDir(), 'bus.db');
    const clock = new FakeClock();
    const handler = new Handler();
    const b = await open(file, clock, handler);
    expect(() => b.groupReplays.replayGroup('0123456789abcdef')).toThrow(NotFoundError);
    expect(() => b.groupReplays.replayGroup('0123456789abcdef')).toThrow(/no dead letters with fingerprint "0123456789abcdef"/);
    expect(() => b.groupReplays.get('nope')).toThrow(/no operation with id "nope"/);
    expect(() => b.groupReplays.cancel('nope')).toThrow(NotFoundError);

    const fp = await deadLetter(b, clock, handler, [1]);
    const held = handler.holdAt(1);
    const { operationId } = b.groupReplays.replayGroup(fp);
    await held.entered;
    expect(() => b.groupReplays.replayGroup(fp)).toThrow(ConflictError);
    expect(() => b.groupReplays.replayGroup(fp)).toThrow(new RegExp(`operation ${operationId} is already replaying`));
    held.release();
    await b.groupReplays.idle();
    expect(() => b.groupReplays.replayGroup(fp)).toThrow(/has no open dead letters/);
    expect(() => b.groupReplays.cancel(operationId)).toThrow(/already completed; only a running operation can be cancelled/);

    // A process that does not consume for the group cannot replay it.
    const other = await open(file, clock, new Handler(), 'other-group');
    await deadLetter(b, clock, handler, [5]);
    const [group] = other.deadLetters.groups();
    expect(() => other.groupReplays.replayGroup(group!.fingerprint)).toThrow(ModuleNotHereError);
    expect(() => other.groupReplays.replayGroup(group!.fingerprint)).toThrow(/consumer group "g" is not subscribed in this process/);
  });
});
