/**
 * `npm run audit [-- --json] [--repair <finding id>]`: the consistency audit of a running server
 * (TRPC_URL, ADMIN_TOKEN), or, with `--offline`, of the files in DATA_DIR (stop the server first).
 */
import 'reflect-metadata';
import { createTRPCClient, httpLink } from '@trpc/client';
import { parseArgs } from 'node:util';
import type { AppRouter } from '../src/api/router';
import type { AuditReport } from '../src/audit/auditor';
import { buildApp } from '../src/compose';
import { loadConfig } from '../src/config';
import { silentLogger } from '../src/platform/logger';

const { values } = parseArgs({ options: { json: { type: 'boolean', default: false }, offline: { type: 'boolean', default: false }, repair: { type: 'string' } } });
const url = process.env.TRPC_URL ?? 'http://127.0.0.1:3000/trpc';

async function online(): Promise<AuditReport> {
  const client = createTRPCClient<AppRouter>({ links: [httpLink({ url, headers: { authorization: `Bearer ${process.env.ADMIN_TOKEN ?? ''}` } })] });
  if (values.repair) console.log(JSON.stringify(await client.admin.audit.repair.mutate({ id: values.repair })));
  return client.admin.audit.run.mutate();
}

async function offline(): Promise<AuditReport> {
  const app = buildApp(loadConfig({ ...process.env, LOG_LEVEL: 'silent', AUDIT_INTERVAL_MS: '0' }), { logger: silentLogger });
  try {
    if (values.repair) throw new Error('--repair needs the running server (it redelivers through the bus)');
    return app.auditor.run();
  } finally {
    await app.stop();
  }
}

try {
  const report = values.offline ? await offline() : await online();
  if (values.json) console.log(JSON.stringify(report, null, 2));
  else {
    console.log(`audit at ${report.at}: ${report.reservations} reservations, ${report.violations.length} violations, ${report.inFlight.length} in flight`);
    for (const f of [...report.violations, ...report.inFlight]) console.log(`  ${f.inFlight ? 'in flight' : 'VIOLATION'}  ${f.id}  (${Math.round(f.lastedMs / 1000)} s; repair: ${f.repair})  ${f.detail}`);
  }
  process.exit(report.clean ? 0 : 1);
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`audit failed: ${/fetch failed|ECONNREFUSED/.test(message) ? `no server answers at ${url} (start it, set TRPC_URL, or use --offline)` : message}\n`);
  process.exit(2);
}
