import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { createTRPCClient, httpLink } from '@trpc/client';
import { afterAll, expect, it } from 'vitest';
import type { AppRouter } from '../../src/api/router';
import { tempDir } from '../../src/bus/testing/temp-dir';
import { reservationInput } from '../scenarios/system';
import { eventually, kill9, startServer, type ServerProcess } from './processes';

const ROOT = resolve(import.meta.dirname, '../..');
const ADMIN_TOKEN = 'rebuild-e2e-admin-token-42';
const dir = tempDir('rebuild-e2e-');
const running: ServerProcess[] = [];
afterAll(() => Promise.all(running.map(kill9)));

const rebuildScript = (env: Record<string, string>) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/projections-rebuild.ts'], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn', ADMIN_TOKEN, DATA_DIR: dir, ...env } });

it('npm run projections:rebuild rebuilds through a running server, and offline when none answers', async () => {
  const server = await startServer({ DATA_DIR: dir, ADMIN_TOKEN });
  running.push(server);
  const api = createTRPCClient<AppRouter>({ links: [httpLink({ url: server.url, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })] });
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) ids.push((await api.reservation.create.mutate(reservationInput())).id);
  await eventually(async () => (await api.overview.list.query({})).items.filter((r) => r.status === 'CONFIRMED').length === 3, 20_000, 'three confirmed rows in the overview');

  const { stdout } = await rebuildScript({ TRPC_URL: server.url });
  expect(stdout).toMatch(/rebuild of generation 2 started/);
  expect(stdout).toMatch(/rebuild 2 done, 9 events folded/);
  await expect(api.admin.projections.status.query()).resolves.toMatchObject({ generation: 2, rebuilding: false, lag: { events: 0 } });
  expect((await api.overview.list.query({})).items.map((r) => r.id).sort()).toEqual([...ids].sort());

  await kill9(server);
  const offline = await rebuildScript({ TRPC_URL: server.url });
  expect(offline.stdout).toMatch(/no server answers .* rebuilding .*read-model\.db offline/);
  expect(offline.stdout).toMatch(/generation 3 live; rebuild 3 done, 9 events folded/);
});
