import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { silentLogger } from '../../platform/logger';
import { createEnvelope, defineContract } from '../envelope';
import { FakeClock } from '../testing/fake-clock';
import { tempDir } from '../testing/temp-dir';
import { createMemoryBus } from './index';

const Ping = defineContract('test.Ping', 1, z.object({ n: z.number() }));
const retry = { immediate: 0, delayed: 3, baseDelayMs: 1_000, maxDelayMs: 1_000 };

describe('memory transport across a restart', () => {
  it('keeps a message waiting for a delayed retry and delivers it after the restart', async () => {
    const file = join(tempDir(), 'bus.db');
    const clock = new FakeClock();
    const first = createMemoryBus(file, clock, silentLogger, { retry, random: () => 1 });
    first.bus.subscribe('g', [Ping], () => {
      throw new Error('down');
    });
    await first.bus.start();
    await first.bus.publish(createEnvelope(Ping, { n: 1 }, { key: 'k', occurredAt: new Date(clock.now()).toISOString() }));
    await first.close(); // crash: the retry timer is gone, the row in bus.db is not

    const handled: number[] = [];
    const second = createMemoryBus(file, clock, silentLogger, { retry, random: () => 1 });
    second.bus.subscribe('g', [Ping], (m) => void handled.push(m.payload.n));
    await second.bus.start();
    await clock.advance(1_000, () => second.bus.idle());
    expect(handled).toEqual([1]);
    await second.close();
  });

  it('keeps dead letters, and a replay after the restart is delivered', async () => {
    const file = join(tempDir(), 'bus.db');
    const clock = new FakeClock();
    const first = createMemoryBus(file, clock, silentLogger, { retry: { ...retry, delayed: 0 } });
    first.bus.subscribe('g', [Ping], () => {
      throw new Error('down');
    });
    await first.bus.start();
    await first.bus.publish(createEnvelope(Ping, { n: 2 }, { key: 'k', occurredAt: new Date(clock.now()).toISOString() }));
    await first.close();

    const handled: number[] = [];
    const second = createMemoryBus(file, clock, silentLogger);
    second.bus.subscribe('g', [Ping], (m) => void handled.push(m.payload.n));
    await second.bus.start();
    const [dl] = second.deadLetters.list({}).items;
    expect(dl).toMatchObject({ group: 'g', errorMessage: 'down', attempts: 1 });
    await second.deadLetters.replay(dl!.id);
    expect(handled).toEqual([2]);
    await second.close();
  });
});
