import { createTRPCClient, httpBatchLink, httpLink, TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppRouter, type AppRouter } from '../../src/api/router';
import { startHttpServer, type HttpServer } from '../../src/api/server';
import { FakeClock } from '../../src/bus/testing/fake-clock';
import { tempDir } from '../../src/bus/testing/temp-dir';
import { loadConfig } from '../../src/config';
import type { App } from '../../src/app';
import { buildApp } from '../../src/compose';
import { silentLogger } from '../../src/platform/logger';
import { reservationInput, SCENARIO_ENV } from '../scenarios/system';

const ADMIN_TOKEN = 'test-admin-token-0123456789';
const clock = new FakeClock();
let app: App;
let http: HttpServer;
let client: ReturnType<typeof createTRPCClient<AppRouter>>;
let admin: ReturnType<typeof createTRPCClient<AppRouter>>;

const codeOf = async (p: Promise<unknown>) => {
  try {
    await p;
    return 'OK';
  } catch (e) {
    if (e instanceof TRPCClientError) return (e.data as { code: string }).code;
    throw e;
  }
};

beforeAll(async () => {
  const config = loadConfig({ ...SCENARIO_ENV, DATA_DIR: tempDir('http-'), ADMIN_TOKEN, PORT: '0', MAX_BODY_BYTES: '4096' });
  app = buildApp(config, { clock, logger: silentLogger });
  await app.start();
  http = await startHttpServer(createAppRouter(app), { host: '127.0.0.1', port: 0, maxBodyBytes: config.MAX_BODY_BYTES, adminToken: ADMIN_TOKEN }, silentLogger);
  client = createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: http.url })] });
  admin = createTRPCClient<AppRouter>({ links: [httpLink({ url: http.url, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })] });
});
afterAll(async () => {
  await http.close();
  await app.stop();
});

describe('tRPC over HTTP with @trpc/client', () => {
  it('creates a reservation and reads it CONFIRMED with its payment', async () => {
    const r = await client.reservation.create.mutate(reservationInput());
    expect(r.status).toBe('PENDING');
    await app.settled();
    expect(await client.reservation.get.query({ id: r.id })).toMatchObject({ status: 'CONFIRMED' });
    expect(await client.payment.getByReservation.query({ reservationId: r.id })).toMatchObject({ status: 'CAPTURED', captures: [{ amount: 5_000 }], refunds: [] });
    const page = await client.reservation.list.query({ status: 'CONFIRMED', limit: 10 });
    expect(page.items.map((i) => i.id)).toContain(r.id);
  });

  it('returns the same reservation for the same idempotency key and input, CONFLICT for other input', async () => {
    const input = reservationInput({ idempotencyKey: 'key-1' });
    const a = await client.reservation.create.mutate(input);
    const b = await client.reservation.create.mutate(input);
    expect(b.id).toBe(a.id);
    expect(await codeOf(client.reservation.create.mutate({ ...input, amount: 7_000 }))).toBe('CONFLICT');
  });

  it('refuses an overlapping slot with CONFLICT', async () => {
    const input = reservationInput({ resourceId: 'hall-9' });
    await client.reservation.create.mutate(input);
    expect(await codeOf(client.reservation.create.mutate({ ...input, customerId: 'someone-else' }))).toBe('CONFLICT');
  });

  it('names each wrong field in a BAD_REQUEST', async () => {
    const bad = { ...reservationInput(), amount: 1.5, currency: 'eur', endsAt: '2020-01-01T00:00:00Z', customerId: '' };
    const error = (await client.reservation.create.mutate(bad).catch((e: unknown) => e)) as TRPCClientError<AppRouter>;
    expect(error).toBeInstanceOf(TRPCClientError);
    expect(error.data?.code).toBe('BAD_REQUEST');
    expect(Object.keys(error.data?.fieldErrors ?? {}).sort()).toEqual(['amount', 'currency', 'customerId', 'endsAt']);
    expect(error.message).toMatch(/amount: .*whole number/);
  });

  it('answers NOT_FOUND for unknown ids', async () => {
    expect(await codeOf(client.reservation.get.query({ id: 'nope' }))).toBe('NOT_FOUND');
    expect(await codeOf(client.reservation.cancel.mutate({ id: 'nope' }))).toBe('NOT_FOUND');
    expect(await codeOf(client.payment.getByReservation.query({ reservationId: 'nope' }))).toBe('NOT_FOUND');
    expect(await codeOf(admin.admin.deadLetters.get.query({ id: 'nope' }))).toBe('NOT_FOUND');
  });

  it('keeps admin procedures behind the bearer token', async () => {
    expect(await codeOf(client.admin.deadLetters.list.query())).toBe('UNAUTHORIZED');
    const wrong = createTRPCClient<AppRouter>({ links: [httpLink({ url: http.url, headers: { authorization: 'Bearer nope' } })] });
    expect(await codeOf(wrong.admin.provider.setOutage.mutate({ on: true }))).toBe('UNAUTHORIZED');
    expect(await admin.admin.deadLetters.list.query()).toEqual({ items: [], nextCursor: null });
  });

  it('lets an operator take the provider down, see the dead letter, and replay it', async () => {
    await admin.admin.provider.setOutage.mutate({ on: true });
    const r = await client.reservation.create.mutate(reservationInput());
    await clock.advance(10_000, () => app.settled()); // past every delayed retry
    const { items } = await admin.admin.deadLetters.list.query({ group: 'payment' });
    expect(items).toHaveLength(1);
    expect(JSON.stringify(items)).not.toContain('tok_ok');
    await admin.admin.provider.setOutage.mutate({ on: false });
    expect(await admin.admin.deadLetters.replay.mutate({ id: items[0]!.id })).toMatchObject({ outcome: 'handled' });
    await app.settled();
    expect((await client.reservation.get.query({ id: r.id })).status).toBe('CONFIRMED');
    expect(await admin.admin.deadLetters.discard.mutate({ id: items[0]!.id })).toEqual({ id: items[0]!.id });
    expect(await codeOf(admin.admin.deadLetters.replay.mutate({ id: items[0]!.id }))).toBe('CONFLICT');
  });

  it('answers unbatched calls (httpLink, curl) exactly like batched ones', async () => {
    const single = createTRPCClient<AppRouter>({ links: [httpLink({ url: http.url })] });
    const r = await single.reservation.create.mutate(reservationInput());
    expect((await single.reservation.get.query({ id: r.id })).id).toBe(r.id);
    const bad = { ...reservationInput(), amount: -1 };
    const refusal = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as TRPCClientError<AppRouter>);
    const [a, b] = (await Promise.all([refusal(single.reservation.create.mutate(bad)), refusal(client.reservation.create.mutate(bad))])) as [
      TRPCClientError<AppRouter>,
      TRPCClientError<AppRouter>,
    ];
    expect(a.message).toBe(b.message);
    expect(a.data).toEqual(b.data);
    expect(await codeOf(single.reservation.get.query({ id: 'nope' }))).toBe('NOT_FOUND');
    const res = await fetch(`${http.url}/reservation.create`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(reservationInput()) });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { result: { data: { status: string } } }).result.data.status).toBe('PENDING');
  });

  it('refuses a body over the configured limit', async () => {
    const res = await fetch(`${http.url}/reservation.create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...reservationInput(), customerId: 'x'.repeat(10_000) }),
    });
    expect(res.status).toBe(413);
  });

  it('answers a malformed URL without crashing', async () => {
    const res = await fetch(`${http.url}/%E0%A4%A.create`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect((await client.reservation.list.query({ limit: 1 })).items).toBeDefined();
  });

  it('answers a path outside /trpc with a 404 that says where the API is', async () => {
    const root = http.url.replace(/\/trpc$/, '');
    const res = await fetch(`${root}/reservation.create`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(404);
    const body = (await res.json()) as { error: { message: string } };
    expect(body.error.message).toContain('/trpc/reservation.create');
    expect(body.error.message).toContain('"/reservation.create"');
  });

  it('answers malformed JSON with a 400, not a crash', async () => {
    const res = await fetch(`${http.url}/reservation.create`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"customerId":' });
    expect(res.status).toBe(400);
  });
});
