/**
 * `npm run dlq -- <command>`: operate the dead-letter queue of a running server through its typed tRPC
 * client (TRPC_URL, ADMIN_TOKEN). All logic is in src/cli/dlq.ts; this file only wires the process to it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createAdminClient, DEFAULT_TRPC_URL } from '../src/cli/admin-client';
import { runDlq } from '../src/cli/dlq';

/** How often a followed group replay is asked for its progress. */
const POLL_MS = 500;

const url = process.env.TRPC_URL ?? DEFAULT_TRPC_URL;
const token = process.env.ADMIN_TOKEN || undefined;
process.exitCode = await runDlq(process.argv.slice(2), {
  client: createAdminClient(url, token),
  url,
  tokenSet: token !== undefined,
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  pause: () => sleep(POLL_MS),
});
