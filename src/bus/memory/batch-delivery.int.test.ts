import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { silentLogger } from '../../platform/logger';
import { AppMetrics } from '../../platform/metrics';
import { metrics } from '../middleware/metrics';
import { REPLAY_HEADER } from '../dead-letters/operations';
import { createEnvelope, defineContract, type Envelope } from '../envelope';
import type { BatchMessage, Message } from '../ports';
import { FakeClock } from '../testing/fake-clock';
import { tempDir } from '../testing/temp-dir';
import { createMemoryBus, type MemoryBus } from './index';

const Thing = defineContract('test.Thing', 1, z.object({ n: z.number().int() }));
const thing = (n: number, headers: Record<string, string> = {}): Envelope => createEnvelope(Thing, { n }, { key: `k${n}`, occurredAt: new Date(0).toISOString(), headers });
/** The same envelope as it comes back from a wire or a file: its payload was parsed, not made by this process. */
const decoded = (e: Envelope): Envelope => JSON.parse(JSON.stringify(e)) as Envelope;
const nOf = (e: Envelope) => (e.payload as { n: number }).n;

describe('batch delivery (memory transport)', () => {
  let m: MemoryBus | null = null;
  afterEach(async () => {
    await m?.close();
    m = null;
  });
  const bus = (options: Parameters<typeof createMemoryBus>[3] = {}) => {
    const clock = new FakeClock();
    m = createMemoryBus(join(tempDir('batch-'), 'bus.db'), clock, silentLogger, { retry: { immediate: 1, delayed: 0 }, ...options });
    return m;
  };

  /** A group with both handlers: what each got, and the batch's answer per message (by payload n). */
  const recorder = (answer: (n: number) => boolean = () => true, single: (m: Message<{ n: number }>) => void = () => {}) => {
    const batches: number[][] = [];
    const singles: Array<{ n: number; attempt: number }> = [];
    return {
      batches,
      singles,
      handler: (msg: Message<{ n: number }>) => {
        singles.push({ n: msg.payload.n, attempt: msg.attempt });
        single(msg);
      },
      batch: (messages: readonly BatchMessage[]) => {
        batches.push(messages.map((x) => nOf(x.envelope)));
        return Promise.resolve(messages.map((x) => answer(nOf(x.envelope))));
      },
    };
  };

  it("hands a publish's envelopes to the group in one call, each handled once, and settles after it", async () => {
    const b = bus();
    const r = recorder();
    b.bus.subscribe('rec', [Thing], r.handler, { leaf: true, batch: r.batch });
    const plain: number[] = [];
    b.bus.subscribe('plain', [Thing], (msg) => void plain.push(msg.payload.n));
    await b.bus.start();
    await b.bus.publish([1, 2, 3, 4].map((n) => thing(n)));
    expect(r.batches).toEqual([[1, 2, 3, 4]]);
    expect(r.singles).toEqual([]);
    expect(plain.sort()).toEqual([1, 2, 3, 4]);
    await b.bus.publish(thing(5));
    expect(r.batches).toEqual([[1, 2, 3, 4], [5]]);
    expect(b.bus.transport.busy).toBe(false);
  });

  it('sends a message the batch failed down the chain with that try counted as an immediate one, then dead-letters it with every try', async () => {
    const b = bus({ retry: { immediate: 2, delayed: 0 } });
    const r = recorder(
      (n) => n !== 2,
      (msg) => {
        if (msg.payload.n === 2) throw new Error('still failing');
      },
    );
    b.bus.subscribe('rec', [Thing], r.handler, { leaf: true, batch: r.batch });
    await b.bus.start();
    await b.bus.publish([1, 2, 3].map((n) => thing(n)));
    await b.bus.idle();
    // Three tries in all, as the policy says (two immediate retries, no delayed round): the batch's, then the chain's two.
    expect(r.singles).toEqual([
      { n: 2, attempt: 2 },
      { n: 2, attempt: 3 },
    ]);
    const dead = b.deadLetters.list({ group: 'rec' });
    expect(dead.items.map((d) => ({ n: nOf(d.envelope), attempts: d.attempts, error: d.errorMessage }))).toEqual([{ n: 2, attempts: 3, error: 'still failing' }]);
  });

  it("a message the batch failed once and the chain then handles is acknowledged, not dead-lettered", async () => {
    const b = bus();
    const r = recorder((n) => n !== 1);
    b.bus.subscribe('rec', [Thing], r.handler, { leaf: true, batch: r.batch });
    await b.bus.start();
    await b.bus.publish([thing(1)]);
    await b.bus.idle();
    expect(r.singles).toEqual([{ n: 1, attempt: 2 }]);
    expect(b.deadLetters.list({ group: 'rec' }).items).toEqual([]);
  });

  it('takes only what the chain would pass straight through: a decoded payload or a replay goes down the chain at once, without waiting for the batch', async () => {
    const b = bus();
    const singles: Array<{ n: number; attempt: number }> = [];
    let release: (answers: boolean[]) => void = () => {};
    const batches: number[][] = [];
    b.bus.subscribe('rec', [Thing], (msg) => void singles.push({ n: msg.payload.n, attempt: msg.attempt }), {
      leaf: true,
      batch: (messages) => {
        batches.push(messages.map((m) => nOf(m.envelope)));
        return new Promise<boolean[]>((resolve) => (release = resolve));
      },
    });
    await b.bus.start();
    const published = b.bus.publish([thing(1), decoded(thing(2)), thing(3, { [REPLAY_HEADER]: 'dl-1' })]);
    for (let i = 0; i < 10 && singles.length < 2; i++) await new Promise<void>((resolve) => setImmediate(resolve));
    expect(batches).toEqual([[1]]);
    expect(singles.map((s) => s.n).sort()).toEqual([2, 3]); // handled while the batch is still out
    expect(singles.every((s) => s.attempt === 1)).toBe(true);
    release([true]);
    await published;
    expect(b.bus.transport.busy).toBe(false);
  });

  it('a batch handler that throws or rejects leaves every message to the chain', async () => {
    const b = bus();
    const singles: number[] = [];
    b.bus.subscribe('rec', [Thing], (msg) => void singles.push(msg.payload.n), {
      leaf: true,
      batch: () => {
        throw new Error('no batches today');
      },
    });
    await b.bus.start();
    await b.bus.publish([thing(1), thing(2)]);
    await b.bus.idle();
    expect(singles.sort()).toEqual([1, 2]);
    expect(b.deadLetters.list({ group: 'rec' }).items).toEqual([]);
  });

  it('has no batch path where handlers are decorated (the fault simulator injects failures per message)', async () => {
    const b = bus({ decorateHandler: (_group, handler) => handler });
    const r = recorder();
    b.bus.subscribe('rec', [Thing], r.handler, { leaf: true, batch: r.batch });
    await b.bus.start();
    await b.bus.publish([thing(1), thing(2)]);
    await b.bus.idle();
    expect(r.batches).toEqual([]);
    expect(r.singles.map((s) => s.n).sort()).toEqual([1, 2]);
  });

  it('counts what the batch handled in the metrics, as the chain would', async () => {
    const appMetrics = new AppMetrics(new FakeClock());
    const b = bus({ middleware: [metrics(appMetrics)] });
    const r = recorder((n) => n !== 3);
    b.bus.subscribe('rec', [Thing], r.handler, { leaf: true, batch: r.batch });
    await b.bus.start();
    await b.bus.publish([1, 2, 3].map((n) => thing(n)));
    await b.bus.idle();
    const scrape = await appMetrics.scrape();
    expect(scrape).toContain('bus_messages_handled_total{group="rec",type="test.Thing"} 3');
    expect(scrape).toContain('bus_handler_duration_seconds_count{group="rec",type="test.Thing"} 3');
    // Message 3 failed in the batch and was handled by the chain: its second try was an immediate retry.
    expect(scrape).toContain('bus_messages_retried_total{group="rec",type="test.Thing",kind="immediate"} 1');
  });

  it('has no batch path under a middleware that does not say what it does for one', async () => {
    const b = bus({ middleware: [() => (next) => next] });
    const r = recorder();
    b.bus.subscribe('rec', [Thing], r.handler, { leaf: true, batch: r.batch });
    await b.bus.start();
    await b.bus.publish([thing(1)]);
    await b.bus.idle();
    expect(r.batches).toEqual([]);
    expect(r.singles.map((s) => s.n)).toEqual([1]);
  });
});
