/**
 * `npm run saga:sequence -- <reservationId>`: that saga's real steps as a Mermaid sequenceDiagram, from a
 * running server (TRPC_URL) or, with `--data DIR`, from the saga.db in that folder.
 */
import { createTRPCClient, httpLink } from '@trpc/client';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { AppRouter } from '../src/api/router';
import { SagaStore } from '../src/saga/infrastructure/saga-store';
import { sagaQueries, type SagaView } from '../src/saga/saga-queries';
import { sagaSequence } from '../src/saga/sequence';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { data: { type: 'string' } } });
const id = positionals[0];
if (!id) {
  process.stderr.write('usage: npm run saga:sequence -- <reservationId> [--data DIR]\n');
  process.exit(2);
}
const url = process.env.TRPC_URL ?? 'http://127.0.0.1:3000/trpc';
try {
  let saga: SagaView;
  if (values.data) {
    const store = SagaStore.open(join(values.data, 'saga.db'));
    saga = sagaQueries(store).get({ reservationId: id });
    store.close();
  } else saga = await createTRPCClient<AppRouter>({ links: [httpLink({ url })] }).saga.get.query({ reservationId: id });
  process.stdout.write(`${sagaSequence(saga)}\n`);
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`${/fetch failed|ECONNREFUSED/.test(message) ? `no server answers at ${url} (start it, set TRPC_URL, or pass --data DIR)` : message}\n`);
  process.exit(1);
}
