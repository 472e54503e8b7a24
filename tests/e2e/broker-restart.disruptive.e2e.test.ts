import { execFileSync } from 'node:child_process';
import { afterAll, expect, it } from 'vitest';
import { describeWithRabbit, RABBITMQ_URL, uniquePrefix } from '../../src/bus/testing/brokers';
import { tempDir } from '../../src/bus/testing/temp-dir';
import { loadConfig } from '../../src/config';
import type { App } from '../../src/app';
import { buildApp } from '../../src/compose';
import { silentLogger } from '../../src/platform/logger';
import { reservationInput } from '../scenarios/system';
import { eventually } from './processes';
import { deleteTopology } from './topology-cleanup';

// Stops and starts the whole broker, so it runs on its own (npm test's second, sequential pass).
const prefix = uniquePrefix('broker-restart');
let app: App | null = null;
const rabbitmqctl = (...args: string[]) => execFileSync('rabbitmqctl', args, { stdio: 'pipe', timeout: 60_000 });

afterAll(async () => {
  try {
    rabbitmqctl('start_app');
  } catch {
    // already running
  }
  await app?.stop();
  await deleteTopology(RABBITMQ_URL, prefix, ['reservation', 'payment']).catch(() => undefined);
});

await describeWithRabbit('a RabbitMQ restart during a run', () => {
  it('loses no event: everything published before, during and after the outage completes, charged once', async () => {
    const config = loadConfig({ BUS: 'rabbitmq', RABBITMQ_URL, RABBITMQ_PREFIX: prefix, DATA_DIR: tempDir('broker-'), RETRY_BASE_MS: '50', RETRY_MAX_MS: '200', LOG_LEVEL: 'silent' });
    app = buildApp(config, { logger: silentLogger });
    await app.start();
    const a = app;
    const ids: string[] = [];
    const create = async (n: number) => {
      for (let i = 0; i < n; i++) ids.push((await a.reservation.create(reservationInput())).reservation.id);
    };
    await create(20);
    rabbitmqctl('stop_app');
    await create(20); // committed locally; the relay keeps them until the broker confirms
    rabbitmqctl('start_app');
    await create(20);
    const pending = () => ids.filter((id) => a.reservation.get({ id }).status === 'PENDING').length;
    await eventually(async () => pending() === 0, 90_000, 'every reservation to leave PENDING after the broker came back');
    for (const id of ids) {
      expect(a.reservation.get({ id }).status).toBe('CONFIRMED');
      expect(a.payment.getByReservation({ reservationId: id }).captures).toHaveLength(1);
    }
    expect(a.deadLetters.list({}).items).toEqual([]);
  });
});
