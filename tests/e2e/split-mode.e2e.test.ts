import Database from 'better-sqlite3';
import { createTRPCClient, httpLink } from '@trpc/client';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { AppRouter } from '../../src/api/router';
import { describeWithRabbit, RABBITMQ_URL, uniquePrefix } from '../../src/bus/testing/brokers';
import { tempDir } from '../../src/bus/testing/temp-dir';
import { deleteTopology } from './topology-cleanup';
import { eventually, kill9, startServer, type ServerProcess } from './processes';
import { reservationInput } from '../scenarios/system';

const prefixes: string[] = [];
const running: ServerProcess[] = [];
const client = (url: string) => createTRPCClient<AppRouter>({ links: [httpLink({ url })] });

afterAll(async () => {
  await Promise.all(running.map(kill9));
  for (const prefix of prefixes) await deleteTopology(RABBITMQ_URL, prefix, ['reservation', 'payment', 'saga', 'saga-observer']).catch(() => undefined);
});

await describeWithRabbit('split mode: one process per module over RabbitMQ', () => {
  for (const mode of ['choreography', 'orchestration'] as const) {
  const dir = tempDir('split-');
  const prefix = uniquePrefix('split');
  prefixes.push(prefix);
  const env = {
  SAGA_MODE: mode,
  BUS: 'rabbitmq',
  RABBITMQ_URL,
  RABBITMQ_PREFIX: prefix,
  DATA_DIR: dir,
  ADMIN_TOKEN: 'split-mode-admin-token-123',
  PAYMENT_DEADLINE_MS: '60000',
  RETRY_BASE_MS: '50',
  RETRY_MAX_MS: '200',
  PROVIDER_LATENCY_MS: '15',
  };
  it(`survives SIGKILL of the payment process mid-flow (${mode}): every reservation ends right, one capture each`, async () => {
    const reservationProc = await startServer(env, ['--module', 'reservation']);
    running.push(reservationProc);
    let paymentProc = await startServer(env, ['--module', 'payment']);
    running.push(paymentProc);
    const api = client(reservationProc.url);

    // The reservation process does not run payment: it says so instead of pretending.
    await expect(api.payment.getByReservation.query({ reservationId: 'x' })).rejects.toThrow(/runs only the reservation module/);

    const tokens = ['tok_ok', 'tok_ok', 'tok_decline', 'tok_flaky'];
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) {
      if (i === 25) await kill9(paymentProc); // mid-flow: charges in flight, messages unacked
      ids.push((await api.reservation.create.mutate(reservationInput({ paymentToken: tokens[i % tokens.length]! }))).id);
    }
    paymentProc = await startServer(env, ['--module', 'payment']);
    running.push(paymentProc);

    await eventually(async () => (await api.reservation.list.query({ status: 'PENDING', limit: 1 })).items.length === 0, 60_000, 'no PENDING reservation left');

    const payments = client(paymentProc.url);
    const ledger = new Database(join(dir, 'provider.db'), { readonly: true });
    const capturesOf = ledger.prepare(`SELECT COUNT(*) AS n FROM charges WHERE key = ? AND outcome = 'captured'`).pluck();
    for (const [i, id] of ids.entries()) {
      const r = await api.reservation.get.query({ id });
      const expected = tokens[i % tokens.length] === 'tok_decline' ? 'CANCELLED' : 'CONFIRMED';
      expect(r.status, `${id} (${tokens[i % tokens.length]})`).toBe(expected);
      const p = await payments.payment.getByReservation.query({ reservationId: id });
      if (expected === 'CONFIRMED') {
        expect(p).toMatchObject({ status: 'CAPTURED', capturedAmount: r.amount, refundedAmount: 0 });
        expect(capturesOf.get(id)).toBe(1);
      } else expect(capturesOf.get(id)).toBe(0);
    }
    ledger.close();
    // The saga runs beside the reservation module and comes to agree with it (its log is fed through the bus too).
    const agree = async () => {
      for (const id of ids) if ((await api.saga.get.query({ reservationId: id })).state !== (await api.reservation.get.query({ id })).status) return false;
      return true;
    };
    await eventually(agree, 30_000, 'every saga in the same end state as its reservation');
    // The read model runs in the reservation process and follows payment's events over the broker too.
    await eventually(async () => (await api.overview.list.query({ limit: 100 })).items.filter((r) => r.payment.status !== null).length === ids.length, 30_000, 'every overview row with its payment');
    const overview = await api.overview.get.query({ id: ids[0]! });
    expect(overview.item).toMatchObject({ status: 'CONFIRMED', payment: { status: 'CAPTURED' }, sagaState: 'CONFIRMED' });
  });
  }
});
