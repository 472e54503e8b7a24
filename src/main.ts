import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createAppRouter } from './api/router';
import { startHttpServer } from './api/server';
import { MODULES, type ModuleName } from './app';
import { banner } from './banner';
import { buildApp } from './compose';
import { loadConfig } from './config';
import { createLogger } from './platform/logger';

function parseModules(argv: string[]): ModuleName[] | undefined {
  const { values } = parseArgs({ args: argv, options: { module: { type: 'string', multiple: true } }, strict: true });
  if (!values.module) return undefined;
  for (const m of values.module) {
    if (!(MODULES as readonly string[]).includes(m)) throw new Error(`--module ${m} is not a module; use one of: ${MODULES.join(', ')}`);
  }
  return values.module as ModuleName[];
}

/** `npm start [-- --module reservation|payment]`: one process (or one module), SQLite under DATA_DIR, tRPC over HTTP. */
async function main(): Promise<void> {
  const config = loadConfig();
  const modules = parseModules(process.argv.slice(2));
  const log = createLogger(config.LOG_LEVEL);
  const generatedToken = config.ADMIN_TOKEN === undefined;
  const adminToken = config.ADMIN_TOKEN ?? randomBytes(24).toString('base64url');
  const app = buildApp(config, { logger: log, ...(modules ? { modules } : {}) });
  await app.start();
  const http = await startHttpServer(createAppRouter(app), {
      host: config.HOST,
      port: config.PORT,
      maxBodyBytes: config.MAX_BODY_BYTES,
      adminToken,
      requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS,
      headersTimeoutMs: config.HTTP_HEADERS_TIMEOUT_MS,
      observability: app.observability,
      ...(config.METRICS_TOKEN ? { metricsToken: config.METRICS_TOKEN } : {}),
    }, log);
  const running = MODULES.filter((m) => app.runs(m)).join(' + ');
  process.stdout.write(banner({ url: http.url, config, running, adminToken, generatedToken }));

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    await http.close();
    await app.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
