import { join } from 'node:path';
import { expect, it } from 'vitest';
import { z } from 'zod';
import { systemClock } from '../../platform/clock';
import { silentLogger } from '../../platform/logger';
import { openBusDatabase } from '../bus-db';
import { SqliteDeadLetterStore } from '../dead-letters/sqlite-store';
import { createEnvelope, defineContract } from '../envelope';
import { MessageBus } from '../router';
import { describeWithRabbit, RABBITMQ_URL, uniquePrefix } from '../testing/brokers';
import { tempDir } from '../testing/temp-dir';
import { RabbitTransport } from './rabbitmq-transport';

const Job = defineContract('test.Job', 1, z.object({ n: z.number() }));

await describeWithRabbit('competing consumers on RabbitMQ', () => {
  it('two processes in one group share the messages: each handled exactly once overall', async () => {
    const prefix = uniquePrefix('compete');
    const seen: Array<[string, number]> = [];
    const node = (name: string) => {
      const transport = new RabbitTransport({ url: RABBITMQ_URL, prefix, prefetch: 5, retryRounds: 1 }, systemClock, silentLogger);
      const bus = new MessageBus(transport, new SqliteDeadLetterStore(openBusDatabase(join(tempDir(), 'bus.db'))), systemClock, silentLogger);
      bus.subscribe('workers', [Job], async (m) => {
        seen.push([name, m.payload.n]);
        await new Promise((r) => setImmediate(r)); // yield, so both consumers get a share
      });
      return { bus, transport };
    };
    const a = node('a');
    const b = node('b');
    await a.bus.start();
    await b.bus.start();
    await a.bus.publish(Array.from({ length: 200 }, (_, n) => createEnvelope(Job, { n }, { key: `k${n}`, occurredAt: new Date().toISOString() })));
    await a.transport.idle();
    await b.transport.idle();
    expect(seen.map(([, n]) => n).sort((x, y) => x - y)).toEqual(Array.from({ length: 200 }, (_, n) => n));
    expect(seen.some(([w]) => w === 'a')).toBe(true);
    expect(seen.some(([w]) => w === 'b')).toBe(true);
    await a.bus.close();
    await b.bus.close();
    await a.transport.destroyTopology();
  });
});
