/**
 * `npm run projections:rebuild [-- --restart]`: rebuilds the read model (data/read-model.db) from both
 * modules' event histories. With a server answering at TRPC_URL (default http://127.0.0.1:3000/trpc)
 * it starts `admin.projections.rebuild` there (ADMIN_TOKEN) and follows `admin.projections.status`
 * until the switch; the server keeps serving meanwhile. With no server answering, it rebuilds the
 * files under DATA_DIR itself (offline: nothing else may be running on them). `--restart` discards an
 * interrupted rebuild instead of resuming it.
 */
import 'reflect-metadata';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import type { AppRouter } from '../src/api/router';
import { buildApp } from '../src/compose';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/platform/logger';
import type { ProjectionStatus } from '../src/read-model/read-model';

const { values } = parseArgs({ options: { restart: { type: 'boolean', default: false } }, strict: true });
const url = process.env.TRPC_URL ?? 'http://127.0.0.1:3000/trpc';
const say = (s: string) => process.stdout.write(`${s}\n`);
const describe = (s: ProjectionStatus) =>
  `generation ${s.generation} live; rebuild ${s.rebuild ? `${s.rebuild.generation} ${s.rebuild.state}, ${s.rebuild.folded} events folded (${Math.round(s.rebuild.progress * 100)}%)` : 'none'}; lag ${s.lag.events} events / ${s.lag.ms} ms`;

/** True when nothing listens at the URL (connection refused or no such host): then the rebuild runs offline. */
const unreachable = (e: unknown) => e instanceof TRPCClientError && !e.data && /fetch failed|ECONNREFUSED|ENOTFOUND/i.test(`${e.message} ${String((e.cause as { cause?: unknown } | undefined)?.cause ?? '')}`);

async function online(): Promise<boolean> {
  const token = process.env.ADMIN_TOKEN ?? '';
  const client = createTRPCClient<AppRouter>({ links: [httpLink({ url, headers: { authorization: `Bearer ${token}` } })] });
  let started;
  try {
    started = await client.admin.projections.rebuild.mutate({ restart: values.restart });
  } catch (e) {
    if (unreachable(e)) return false;
    throw e;
  }
  say(`${url}: rebuild of generation ${started.generation} ${started.alreadyRunning ? 'was running already' : started.resumed ? 'resumed' : 'started'}`);
  for (;;) {
    const s = await client.admin.projections.status.query();
    say(describe(s));
    if (s.rebuild?.generation === started.generation && s.rebuild.state === 'done') return true;
    if (s.rebuild?.generation === started.generation && s.rebuild.state !== 'running') {
      throw new Error(`the rebuild stopped (${s.rebuild.state}${s.rebuild.error ? `: ${s.rebuild.error}` : ''}); run this again to resume it, or with --restart to start over`);
    }
    await sleep(500);
  }
}

async function offline(): Promise<void> {
  // In-memory bus and nothing started: no relay publishes, no consumer runs; only the histories are read.
  const config = loadConfig({ ...process.env, BUS: 'memory' });
  say(`no server answers at ${url}: rebuilding ${config.DATA_DIR}/read-model.db offline`);
  const app = buildApp(config, { logger: createLogger(config.LOG_LEVEL) });
  try {
    const status = await app.readModel.rebuild({ restart: values.restart });
    await app.readModel.idle(); // the replaced generation is deleted too
    say(describe(status));
    if (status.rebuild?.state !== 'done') throw new Error(`the rebuild stopped: ${status.rebuild?.error ?? 'unknown reason'}`);
  } finally {
    await app.stop();
  }
}

try {
  if (!(await online())) await offline();
  process.exit(0);
} catch (e) {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
