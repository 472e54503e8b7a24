import { Socket } from 'node:net';
import { describe } from 'vitest';

export const RABBITMQ_URL = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

function reachable(url: string, timeoutMs = 1_000): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(Number(port || 5672), hostname, () => done(true));
  });
}

/**
 * `describe` for tests that need RabbitMQ. Unreachable broker: the tests are skipped with a message,
 * except when REQUIRE_BROKERS=1 (CI), where that is a failure.
 */
export async function describeWithRabbit(name: string, fn: () => void): Promise<void> {
  const ok = await reachable(RABBITMQ_URL);
  if (!ok && process.env.REQUIRE_BROKERS === '1') throw new Error(`REQUIRE_BROKERS=1 but RabbitMQ is not reachable at ${RABBITMQ_URL}`);
  if (!ok) console.warn(`skipping "${name}": RabbitMQ is not reachable at ${RABBITMQ_URL} (start it, or set RABBITMQ_URL)`);
  describe.skipIf(!ok)(name, fn);
}

/** A prefix no other test run uses, so runs on a shared broker never see each other. */
export const uniquePrefix = (label: string) => `test-${label}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
