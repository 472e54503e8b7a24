import type { AppRouter } from '../../src/api/router';
import { createAppRouter } from '../../src/api/router';
import { startHttpServer, type HttpServer } from '../../src/api/server';
import type { App } from '../../src/app';
import { buildApp } from '../../src/compose';
import { loadConfig } from '../../src/config';
import { silentLogger } from '../../src/platform/logger';
import { createTRPCClient, httpLink } from '@trpc/client';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ADMIN_TOKEN = 'demo-admin-token-0123456789';
export type Client = ReturnType<typeof createTRPCClient<AppRouter>>;

export interface DemoServer {
  name: string;
  app: App;
  http: HttpServer;
  client: Client;
  /** The dashboard's address (same origin as the API). */
  origin: string;
  stop(): Promise<void>;
}

/** A real server (HTTP, tRPC, SQLite files) on temporary data, as `npm start` builds it. */
export async function startDemoServer(name: string, env: Record<string, string>): Promise<DemoServer> {
  const dir = mkdtempSync(join(tmpdir(), `demo-${name}-`));
  const app = buildApp(loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent', ADMIN_TOKEN, AUDIT_INTERVAL_MS: '0', ...env }), { logger: silentLogger });
  await app.start();
  const http = await startHttpServer(createAppRouter(app), { host: '127.0.0.1', port: 0, maxBodyBytes: 100_000, adminToken: ADMIN_TOKEN }, silentLogger);
  const client = createTRPCClient<AppRouter>({ links: [httpLink({ url: http.url, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })] });
  return {
    name,
    app,
    http,
    client,
    origin: http.url.replace(/\/trpc$/, ''),
    async stop() {
      await http.close();
      await app.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
