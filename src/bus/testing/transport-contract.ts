import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { newId } from '../../platform/ids';
import type { DeadLetterOperations } from '../dead-letters/operations';
import { createEnvelope, defineContract, type Envelope } from '../envelope';
import { NonRetryableError } from '../errors';
import type { RetryPolicy } from '../ports';
import type { MessageBus } from '../router';

export interface TransportHarness {
  bus: MessageBus;
  deadLetters: DeadLetterOperations;
  /** Moves (fake or real) time forward by `ms`, letting scheduled retries run. */
  advance(ms: number): Promise<void>;
  /** Resolves when nothing is in flight. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export type HarnessFactory = (retry: RetryPolicy) => Promise<TransportHarness>;

/** Small budgets so the suite is quick on every transport: 1 + 1 immediate tries, 2 delayed rounds of ≤ 40 ms. */
export const contractRetryPolicy: RetryPolicy = { immediate: 1, delayed: 2, baseDelayMs: 20, maxDelayMs: 40 };
const TOTAL_TRIES = (contractRetryPolicy.immediate + 1) * (contractRetryPolicy.delayed + 1);
const PAST_ALL_RETRIES_MS = 1_000;

const payloadSchema = z.object({ n: z.number().int(), text: z.string() });

/**
 * The behaviour every transport must show (modelled on Watermill's universal pub/sub tests).
 * A transport runs it by calling this with a factory for a fresh harness.
 */
export function transportContract(name: string, factory: HarnessFactory): void {
  describe(`transport contract: ${name}`, () => {
    let h: TransportHarness | null = null;
    afterEach(async () => {
      await h?.close();
      h = null;
    });

    // Unique types and groups per test so runs on a shared broker never see each other's messages.
    const fresh = () => {
      const tag = newId().replace(/-/g, '').slice(-12);
      const contract = defineContract(`contract.Thing${tag}`, 1, payloadSchema, { sensitive: ['text'] });
      const envelope = (n: number, text = `t${n}`): Envelope =>
        createEnvelope(contract, { n, text }, { key: `k${n % 4}`, occurredAt: new Date().toISOString(), headers: { h: 'v' } });
      return { tag, contract, envelope, group: (g: string) => `${g}-${tag}` };
    };
    const start = async () => {
      h = await factory(contractRetryPolicy);
      return h;
    };

    it('delivers a published envelope to a subscriber with every field preserved', async () => {
      const t = fresh();
      const bus = (await start()).bus;
      const got: Envelope[] = [];
      bus.subscribe(t.group('a'), [t.contract], (m) => void got.push(m.envelope));
      await bus.start();
      const sent = t.envelope(1, 'ünïcode ✓ "quoted" \n newline');
      await bus.publish(sent);
      await h!.settle();
      expect(got).toHaveLength(1);
      expect(JSON.stringify(got[0])).toBe(JSON.stringify(sent));
    });

    it('delivers asynchronously, never inside the publisher call stack', async () => {
      const t = fresh();
      const bus = (await start()).bus;
      let handled = 0;
      bus.subscribe(t.group('a'), [t.contract], () => void handled++);
      await bus.start();
      const p = bus.publish(t.envelope(1));
      expect(handled).toBe(0);
      await p;
      await h!.settle();
      expect(handled).toBe(1);
    });

    it('gives each group each message once, however many groups there are', async () => {
      const t = fresh();
      const bus = (await start()).bus;
      const seen = new Map<string, number[]>();
      for (const g of ['a', 'b', 'c']) {
        seen.set(g, []);
        bus.subscribe(t.group(g), [t.contract], (m) => void seen.get(g)!.push(m.payload.n));
      }
      await bus.start();
      await bus.publish([t.envelope(1), t.envelope(2), t.envelope(3)]);
      await h!.settle();
      for (const g of ['a', 'b', 'c']) expect(seen.get(g)!.sort()).toEqual([1, 2, 3]);
    });

    it('handles concurrent publishing without loss or duplication', async () => {
      const t = fresh();
      const bus = (await start()).bus;
      const got: number[] = [];
      bus.subscribe(t.group('a'), [t.contract], (m) => void got.push(m.payload.n));
      await bus.start();
      await Promise.all(Array.from({ length: 50 }, (_, i) => bus.publish(Array.from({ length: 10 }, (_, j) => t.envelope(i * 10 + j)))));
      await h!.settle();
      expect(got.sort((a, b) => a - b)).toEqual(Array.from({ length: 500 }, (_, i) => i));
    });

    it('retries and dead-letters one envelope of a batch on its own; the rest of the batch is handled once', async () => {
      const t = fresh();
      const bus = (await start()).bus;
      const handled = new Map<number, number>();
      let flaky = 0;
      bus.subscribe(t.group('a'), [t.contract], (m) => {
        const n = m.payload.n;
        if (n === 3) throw new Error('always broken');
        if (n === 5 && ++flaky === 1) throw new Error('once');
        handled.set(n, (handled.get(n) ?? 0) + 1);
      });
      await bus.start();
      await bus.publish(Array.from({ length: 120 }, (_, i) => t.envelope(i))); // more than one AMQP batch
      await h!.advance(PAST_ALL_RETRIES_MS);
      expect([...handled.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 120 }, (_, i) => i).filter((n) => n !== 3));
      expect([...handled.values()].every((c) => c === 1)).toBe(true);
      const { items } = h!.deadLetters.list({ group: t.group('a') });
      expect(items.map((d) => (d.envelope.payload as { n: number }).n)).toEqual([3]);
    });

    it('redelivers when the handler fails and succeeds once the failure stops', async () => {
      const t = fresh();
      const bus = (await start()).bus;
      let calls = 0;
      bus.subscribe(t.group('a'), [t.contract], () => {
        calls++;
        if (calls <= 2) throw new Error('temporary');
      });
      await bus.start();
      await bus.publish(t.envelope(1));
      await h!.advance(PAST_ALL_RETRIES_MS);
      expect(calls).toBe(3);
      expect((await h!.deadLetters.list({ group: t.group('a') })).items).toHaveLength(0);
    });

    it('dead-letters after the retry budget with the error, attempts and timestamps', async () => {
      const t = fresh();
      const bus = (await start()).bus;
      let calls = 0;
      bus.subscribe(t.group('a'), [t.contract], () => {
        calls++;
        throw new Error('always broken');
      });
      await bus.start();
      await bus.publish(t.envelope(7));
      await h!.advance(PAST_ALL_RETRIES_MS);
      expect(calls).toBe(TOTAL_TRIES);
      const { items } = h!.deadLetters.list({ group: t.group('a') });
      expect(items).toHaveLength(1);
      const dl = items[0]!;
      expect(dl).toMatchObject({ errorMessage: 'always broken', attempts: TOTAL_TRIES, status: 'open', type: t.contract.type });
      expect(Date.parse(dl.lastFailedAt)).toBeGreaterThanOrEqual(Date.parse(dl.firstFailedAt));
    });

    it('delayed retries of one message do not block the next one', async () => {
      const t = fresh();
      const bus = (await start()).bus;
      const handled: number[] = [];
      bus.subscribe(t.group('a'), [t.contract], (m) => {
        if (m.payload.n === 1) throw new Error('slow to recover');
        handled.push(m.payload.n);
      });
      await bus.start();
      await bus.publish(t.envelope(1));
      await bus.publish(t.envelope(2));
      await h!.settle();
      expect(handled).toEqual([2]);
      await h!.advance(PAST_ALL_RETRIES_MS);
    });

    it('dead-letters a non-retryable error at once', async () => {
      const t = fresh();
      const bus = (await start()).bus;
      let calls = 0;
      bus.subscribe(t.group('a'), [t.contract], () => {
        calls++;
        throw new NonRetryableError('cannot ever work');
      });
      await bus.start();
      await bus.publish(t.envelope(1));
      await h!.settle();
      expect(calls).toBe(1);
      expect(h!.deadLetters.list({ group: t.group('a') }).items[0]).toMatchObject({ attempts: 1, errorMessage: 'cannot ever work' });
    });

    it('dead-letters a schema-invalid payload or an unknown version without calling the handler', async () => {
      const t = fresh();
      const bus = (await start()).bus;
      let calls = 0;
      bus.subscribe(t.group('a'), [t.contract], () => void calls++);
      await bus.start();
      const bad = { ...t.envelope(1), payload: { n: 'not a number', text: 1 } };
      const future = { ...t.envelope(2), version: 9 };
      await bus.publish([bad, future]);
      await h!.settle();
      expect(calls).toBe(0);
      const items = h!.deadLetters.list({ group: t.group('a') }).items;
      expect(items).toHaveLength(2);
      expect(items.map((i) => i.attempts)).toEqual([1, 1]);
      expect(items.find((i) => i.version === 1)!.errorMessage).toMatch(/payload of .* is invalid.*n/s);
      expect(items.find((i) => i.version === 9)!.errorMessage).toMatch(/no contract for .* version 9/);
    });

    it('replays a dead letter to its group only, and it succeeds once the cause is gone', async () => {
      const t = fresh();
      const bus = (await start()).bus;
      let broken = true;
      const handled: string[] = [];
      bus.subscribe(t.group('a'), [t.contract], () => {
        if (broken) throw new Error('dependency down');
        handled.push('a');
      });
      bus.subscribe(t.group('b'), [t.contract], () => void handled.push('b'));
      await bus.start();
      await bus.publish(t.envelope(1, 'secret'));
      await h!.advance(PAST_ALL_RETRIES_MS);
      expect(handled).toEqual(['b']);
      const dl = h!.deadLetters.list({ group: t.group('a') }).items[0]!;
      expect(JSON.stringify(dl)).not.toContain('secret');
      broken = false;
      await expect(h!.deadLetters.replay(dl.id)).resolves.toEqual({ id: dl.id, outcome: 'handled' });
      await h!.settle();
      expect(handled).toEqual(['b', 'a']);
      expect(h!.deadLetters.get(dl.id)).toMatchObject({ status: 'replayed', replays: [{ outcome: 'handled' }] });
    });

    it('delivers nothing after close', async () => {
      const t = fresh();
      const harness = await start();
      let calls = 0;
      harness.bus.subscribe(t.group('a'), [t.contract], () => void calls++);
      await harness.bus.start();
      await harness.close();
      h = null;
      await expect(harness.bus.publish(t.envelope(1))).rejects.toThrow();
      expect(calls).toBe(0);
    });

    it('signals settled only after every handler has finished', async () => {
      const t = fresh();
      const bus = (await start()).bus;
      let finished = 0;
      bus.subscribe(t.group('a'), [t.contract], async () => {
        await Promise.resolve();
        finished++;
      });
      await bus.start();
      await bus.publish(Array.from({ length: 20 }, (_, i) => t.envelope(i)));
      await h!.settle();
      expect(finished).toBe(20);
    });
  });
}
