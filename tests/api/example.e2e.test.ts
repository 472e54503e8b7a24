import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExample } from '../../examples/client';
import { createAppRouter } from '../../src/api/router';
import { startHttpServer, type HttpServer } from '../../src/api/server';
import { tempDir } from '../../src/bus/testing/temp-dir';
import { loadConfig } from '../../src/config';
import type { App } from '../../src/app';
import { buildApp } from '../../src/compose';
import { silentLogger } from '../../src/platform/logger';

let app: App;
let http: HttpServer;
beforeAll(async () => {
  const config = loadConfig({ DATA_DIR: tempDir('example-'), LOG_LEVEL: 'silent' });
  app = buildApp(config, { logger: silentLogger });
  await app.start();
  http = await startHttpServer(createAppRouter(app), { host: '127.0.0.1', port: 0, maxBodyBytes: 100_000, adminToken: 'x'.repeat(20) }, silentLogger);
});
afterAll(async () => {
  await http.close();
  await app.stop();
});

describe('the README example client', () => {
  it('runs against a real server and is told over SSE that the reservation is confirmed', async () => {
    const lines: string[] = [];
    const { reservation, payment, history } = await runExample(http.url, (l) => lines.push(l));
    expect(reservation).toMatchObject({ status: 'CONFIRMED', channel: 'web' });
    expect(history.map((e) => e.type)).toEqual(['reservation.ReservationCreated', 'reservation.ReservationConfirmed']);
    expect(payment).toMatchObject({ status: 'CAPTURED', capturedAmount: 1250 });
    expect(lines[0]).toMatch(/^created .*: PENDING$/);
  });
});
