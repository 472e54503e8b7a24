import { connect } from 'amqplib';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { z } from 'zod';
import { createEnvelope, defineContract } from '../envelope';
import { openBusDatabase } from '../bus-db';
import { DeadLetterOperations } from '../dead-letters/operations';
import { SqliteDeadLetterStore } from '../dead-letters/sqlite-store';
import { systemClock } from '../../platform/clock';
import { silentLogger } from '../../platform/logger';
import { MessageBus } from '../router';
import { describeWithRabbit, RABBITMQ_URL, uniquePrefix } from '../testing/brokers';
import { tempDir } from '../testing/temp-dir';
import { transportContract } from '../testing/transport-contract';
import { BATCH_HEADER, MAX_ENVELOPES_PER_MESSAGE, RabbitTransport } from './rabbitmq-transport';

await describeWithRabbit('rabbitmq transport', () => {
  transportContract('rabbitmq', async (retry) => {
    const db = openBusDatabase(join(tempDir('rabbit-'), 'bus.db'));
    const store = new SqliteDeadLetterStore(db);
    const transport = new RabbitTransport({ url: RABBITMQ_URL, prefix: uniquePrefix('contract'), prefetch: 32, retryRounds: retry.delayed }, systemClock, silentLogger);
    const bus = new MessageBus(transport, store, systemClock, silentLogger, { retry });
    return {
      bus,
      deadLetters: new DeadLetterOperations(store, bus, systemClock),
      settle: () => transport.idle(),
      advance: () => transport.drained(),
      close: async () => {
        await bus.close();
        await transport.destroyTopology().catch(() => undefined);
        db.close();
      },
    };
  });

  it('publishes a batch as a message per type and per 100 envelopes; a consumer handles each envelope once, and an element that is not an envelope is dead-lettered alone', async () => {
    const db = openBusDatabase(join(tempDir('rabbit-batch-'), 'bus.db'));
    const store = new SqliteDeadLetterStore(db);
    const prefix = uniquePrefix('batch');
    const transport = new RabbitTransport({ url: RABBITMQ_URL, prefix, prefetch: 8, retryRounds: 0 }, systemClock, silentLogger);
    const bus = new MessageBus(transport, store, systemClock, silentLogger, { retry: { immediate: 0, delayed: 0 } });
    const A = defineContract(`batch.A${prefix.slice(-6)}`, 1, z.object({ n: z.number() }));
    const B = defineContract(`batch.B${prefix.slice(-6)}`, 1, z.object({ n: z.number() }));
    const seen: string[] = [];
    bus.subscribe('g', [A, B], (m) => void seen.push(`${m.envelope.type}:${(m.payload as { n: number }).n}`));
    await bus.start();
    // A raw queue bound to the exchange counts what the broker carried.
    const model = await connect(RABBITMQ_URL);
    const ch = await model.createChannel();
    const { queue } = await ch.assertQueue('', { exclusive: true });
    await ch.bindQueue(queue, transport.topology.exchange, A.type);
    await ch.bindQueue(queue, transport.topology.exchange, B.type);
    const carried: Array<{ envelopes: number; header: unknown }> = [];
    await ch.consume(queue, (msg) => {
      if (!msg) return;
      const body = JSON.parse(msg.content.toString()) as unknown;
      carried.push({ envelopes: Array.isArray(body) ? body.length : 1, header: msg.properties.headers?.[BATCH_HEADER] });
    }, { noAck: true });
    try {
      const envelopes = [
        ...Array.from({ length: 150 }, (_, n) => createEnvelope(A, { n }, { key: `k${n}`, occurredAt: new Date().toISOString() })),
        ...Array.from({ length: 3 }, (_, n) => createEnvelope(B, { n }, { key: `k${n}`, occurredAt: new Date().toISOString() })),
      ];
      await bus.publish(envelopes);
      await transport.idle();
      expect(seen.sort()).toEqual(envelopes.map((e) => `${e.type}:${(e.payload as { n: number }).n}`).sort());
      expect(carried.map((c) => c.envelopes).sort((x, y) => x - y)).toEqual([3, 50, MAX_ENVELOPES_PER_MESSAGE]);
      expect(carried.every((c) => c.header === c.envelopes)).toBe(true);

      // A batch written by hand with one element that is not an envelope: the other is handled, the bad one dead-lettered with the reason.
      const good = createEnvelope(A, { n: 1000 }, { key: 'k', occurredAt: new Date().toISOString() });
      const pub = await model.createConfirmChannel();
      pub.publish(transport.topology.exchange, A.type, Buffer.from(JSON.stringify([good, { id: 'not-an-envelope-1', type: A.type }])), { persistent: true });
      await pub.waitForConfirms();
      await transport.idle();
      expect(seen).toContain(`${A.type}:1000`);
      const [dl] = store.list({ group: 'g' }).items;
      expect(dl).toMatchObject({ messageId: 'not-an-envelope-1' });
      expect(dl!.errorMessage).toMatch(/not a valid envelope \(element 1 of a batch\)/);
    } finally {
      await model.close();
      await bus.close();
      await transport.destroyTopology().catch(() => undefined);
      db.close();
    }
  });
});
