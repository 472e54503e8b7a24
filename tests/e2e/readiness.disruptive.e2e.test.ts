import { execFileSync } from 'node:child_process';
import { afterAll, expect, it } from 'vitest';
import { createAppRouter } from '../../src/api/router';
import { startHttpServer, type HttpServer } from '../../src/api/server';
import { describeWithRabbit, RABBITMQ_URL, uniquePrefix } from '../../src/bus/testing/brokers';
import { tempDir } from '../../src/bus/testing/temp-dir';
import { loadConfig } from '../../src/config';
import type { App } from '../../src/app';
import { buildApp } from '../../src/compose';
import { silentLogger } from '../../src/platform/logger';
import { eventually } from './processes';
import { deleteTopology } from './topology-cleanup';

// Stops and starts the whole broker, so it runs on its own (npm test's second, sequential pass).
const prefix = uniquePrefix('readyz');
let app: App | null = null;
let http: HttpServer | null = null;
const rabbitmqctl = (...args: string[]) => execFileSync('rabbitmqctl', args, { stdio: 'pipe', timeout: 60_000 });

afterAll(async () => {
  try {
    rabbitmqctl('start_app');
  } catch {
    // already running
  }
  await http?.close();
  await app?.stop();
  await deleteTopology(RABBITMQ_URL, prefix, ['reservation', 'payment']).catch(() => undefined);
});

await describeWithRabbit('GET /readyz while RabbitMQ restarts', () => {
  it('is 503 naming the broker while it is stopped, 200 once it is back; /healthz stays 200', async () => {
    const config = loadConfig({ BUS: 'rabbitmq', RABBITMQ_URL, RABBITMQ_PREFIX: prefix, DATA_DIR: tempDir('readyz-'), LOG_LEVEL: 'silent' });
    app = buildApp(config, { logger: silentLogger });
    await app.start();
    http = await startHttpServer(createAppRouter(app), { host: '127.0.0.1', port: 0, maxBodyBytes: 100_000, adminToken: 'x'.repeat(20), observability: app.observability }, silentLogger);
    const root = http.url.replace(/\/trpc$/, '');
    const readyz = async () => {
      const res = await fetch(`${root}/readyz`);
      return { status: res.status, body: (await res.json()) as { status: string; checks: Record<string, string> } };
    };
    expect(await readyz()).toMatchObject({ status: 200, body: { status: 'ready', checks: { rabbitmq: 'ok' } } });

    rabbitmqctl('stop_app');
    await eventually(async () => (await readyz()).status === 503, 30_000, '/readyz to turn 503');
    const down = await readyz();
    expect(down.body.status).toBe('not ready');
    expect(down.body.checks.rabbitmq).toMatch(/^not connected to rabbitmq at 127\.0\.0\.1:5672; reconnecting$/);
    expect(down.body.checks['sqlite bus.db']).toBe('ok');
    expect((await fetch(`${root}/healthz`)).status).toBe(200);

    rabbitmqctl('start_app');
    await eventually(async () => (await readyz()).status === 200, 60_000, '/readyz to turn 200 after the broker came back');
  });
});
