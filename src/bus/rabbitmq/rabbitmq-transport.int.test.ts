import { join } from 'node:path';
import { openBusDatabase } from '../bus-db';
import { DeadLetterOperations } from '../dead-letters/operations';
import { SqliteDeadLetterStore } from '../dead-letters/sqlite-store';
import { systemClock } from '../../platform/clock';
import { silentLogger } from '../../platform/logger';
import { MessageBus } from '../router';
import { describeWithRabbit, RABBITMQ_URL, uniquePrefix } from '../testing/brokers';
import { tempDir } from '../testing/temp-dir';
import { transportContract } from '../testing/transport-contract';
import { RabbitTransport } from './rabbitmq-transport';

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
});
