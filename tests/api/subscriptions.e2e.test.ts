import { createTRPCClient, httpLink, httpSubscriptionLink, splitLink, TRPCClientError } from '@trpc/client';
import { EventSource } from 'eventsource';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppRouter, type AppRouter } from '../../src/api/router';
import { startHttpServer, type HttpServer } from '../../src/api/server';
import { FakeClock } from '../../src/bus/testing/fake-clock';
import { tempDir } from '../../src/bus/testing/temp-dir';
import { loadConfig } from '../../src/config';
import type { App } from '../../src/app';
import { buildApp } from '../../src/compose';
import { SimulatedProvider, type PaymentGateway } from '../../src/modules/payment';
import { silentLogger } from '../../src/platform/logger';
import { reservationInput, SCENARIO_ENV } from '../scenarios/system';

/** Charges wait until the test lets them through, so a reservation stays PENDING while a client watches it. */
function gatedProvider(provider: SimulatedProvider) {
  const gates = new Map<string, { open: Promise<void>; release: () => void }>();
  const gate = (key: string) => {
    let g = gates.get(key);
    if (!g) {
      let release: () => void = () => {};
      const open = new Promise<void>((r) => (release = r));
      gates.set(key, (g = { open, release }));
    }
    return g;
  };
  const gateway: PaymentGateway = {
    charge: async (req) => (await gate(req.idempotencyKey).open, provider.charge(req)),
    refund: (req) => provider.refund(req),
  };
  return { gateway, release: (reservationId: string) => gate(reservationId).release() };
}

/** A subscription's events as a queue the test awaits one by one, and its end. */
function feed<T>() {
  const items: T[] = [];
  const waiting: Array<(t: T) => void> = [];
  let complete: () => void = () => {};
  let fail: (e: unknown) => void = () => {};
  const ended = new Promise<void>((resolve, reject) => ((complete = resolve), (fail = reject)));
  return {
    handlers: {
      onData: (t: T) => {
        const w = waiting.shift();
        if (w) w(t);
        else items.push(t);
      },
      onComplete: () => complete(),
      onError: (e: unknown) => fail(e),
    },
    next: () => (items.length > 0 ? Promise.resolve(items.shift() as T) : new Promise<T>((r) => waiting.push(r))),
    ended,
  };
}

const clock = new FakeClock();
let app: App;
let http: HttpServer;
let provider: SimulatedProvider;
let release: (reservationId: string) => void;
let client: ReturnType<typeof createTRPCClient<AppRouter>>;

const connect = (url: string) =>
  createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        // Node 20 has no global EventSource: the `eventsource` package stands in.
        true: httpSubscriptionLink({ url, EventSource }),
        false: httpLink({ url }),
      }),
    ],
  });

beforeAll(async () => {
  const dir = tempDir('sse-');
  provider = new SimulatedProvider(join(dir, 'provider.db'), clock);
  const gated = gatedProvider(provider);
  release = gated.release;
  app = buildApp(loadConfig({ ...SCENARIO_ENV, DATA_DIR: dir }), { clock, logger: silentLogger, gateway: gated.gateway });
  await app.start();
  http = await startHttpServer(createAppRouter(app), { host: '127.0.0.1', port: 0, maxBodyBytes: 100_000, adminToken: 'x'.repeat(20) }, silentLogger);
  client = connect(http.url);
});
afterAll(async () => {
  await http.close();
  await app.stop();
  provider.close();
});

type Change = { id: string; data: { version: number; reservation: { status: string } } };
const statusOf = (c: Change) => `${c.data.version}:${c.data.reservation.status}`;

describe('reservation.onChange over SSE with @trpc/client', () => {
  it('pushes PENDING, then CONFIRMED when the payment lands, and ends', async () => {
    const r = await client.reservation.create.mutate(reservationInput());
    const f = feed<Change>();
    client.reservation.onChange.subscribe({ id: r.id }, f.handlers);
    const first = await f.next();
    expect(first.id).toBe('1');
    expect(statusOf(first)).toBe('1:PENDING');
    release(r.id);
    expect(statusOf(await f.next())).toBe('2:CONFIRMED');
    await f.ended;
    expect(app.reservation.changed.listenerCount(r.id)).toBe(0); // the server's listener went with the stream
    await app.settled();
  });

  it('after a forced disconnect, resubscribing with lastEventId resumes without a gap', async () => {
    const r = await client.reservation.create.mutate(reservationInput());
    const before = feed<Change>();
    const sub = client.reservation.onChange.subscribe({ id: r.id }, before.handlers);
    const seen = [await before.next()];
    sub.unsubscribe(); // the connection goes away while the saga goes on
    release(r.id);
    await app.settled();
    expect((await client.reservation.get.query({ id: r.id })).status).toBe('CONFIRMED');

    const after = feed<Change>();
    client.reservation.onChange.subscribe({ id: r.id, lastEventId: seen[0]!.id }, after.handlers);
    seen.push(await after.next());
    await after.ended;
    expect(seen.map(statusOf)).toEqual(['1:PENDING', '2:CONFIRMED']);

    // A confirmed reservation can still be cancelled: resuming from CONFIRMED waits for that and ends with it.
    const later = feed<Change>();
    client.reservation.onChange.subscribe({ id: r.id, lastEventId: '2' }, later.handlers);
    await client.reservation.cancel.mutate({ id: r.id, reason: 'changed my mind' });
    expect(statusOf(await later.next())).toBe('3:CANCELLED');
    await later.ended;
    await app.settled();
  });

  it('an unknown id is NOT_FOUND and a malformed lastEventId BAD_REQUEST naming the field, before any event', async () => {
    const unknown = feed<Change>();
    client.reservation.onChange.subscribe({ id: 'nope' }, unknown.handlers);
    const e1 = (await unknown.ended.catch((e: unknown) => e)) as TRPCClientError<AppRouter>;
    expect(e1).toBeInstanceOf(TRPCClientError);
    expect(e1.data?.code).toBe('NOT_FOUND');
    const r = await client.reservation.create.mutate(reservationInput());
    const bad = feed<Change>();
    client.reservation.onChange.subscribe({ id: r.id, lastEventId: 'abc' }, bad.handlers);
    const e2 = (await bad.ended.catch((e: unknown) => e)) as TRPCClientError<AppRouter>;
    expect(e2.data?.code).toBe('BAD_REQUEST');
    expect(e2.message).toMatch(/lastEventId: lastEventId must be a stream version/);
    release(r.id);
    await app.settled();
  });
});

type Step = { id: string; data: { id: number; type: string; stateAfter: string | null; outcome: string } };

describe('saga.onChange over SSE', () => {
  it('pushes each step of saga.get until the saga ends, and resumes after a step id without a gap', async () => {
    const r = await client.reservation.create.mutate(reservationInput());
    const f = feed<Step>();
    const sub = client.saga.onChange.subscribe({ reservationId: r.id }, f.handlers);
    const first = await f.next(); // the saga started when ReservationCreated reached it
    expect(first.data).toMatchObject({ type: 'reservation.ReservationCreated', stateAfter: 'AWAITING_PAYMENT' });
    expect(first.id).toBe(String(first.data.id));
    sub.unsubscribe();
    release(r.id);
    await app.settled();

    const rest = feed<Step>();
    client.saga.onChange.subscribe({ reservationId: r.id, lastEventId: first.id }, rest.handlers);
    const steps = [first];
    for (;;) {
      const s = await Promise.race([rest.next(), rest.ended.then(() => null)]);
      if (!s) break;
      steps.push(s);
    }
    const logged = (await client.saga.get.query({ reservationId: r.id })).steps;
    expect(steps.map((s) => `${s.data.type} ${s.data.outcome}`)).toEqual(logged.map((s) => `${s.type} ${s.outcome}`));
    expect(steps.at(-1)?.data.stateAfter).toBe('CONFIRMED');
  });
});

describe('HTTP server and open SSE connections', () => {
  it('closes (SIGTERM path) while a subscription is open', async () => {
    const own = await startHttpServer(createAppRouter(app), { host: '127.0.0.1', port: 0, maxBodyBytes: 100_000, adminToken: 'x'.repeat(20) }, silentLogger);
    const c = connect(own.url);
    const r = await c.reservation.create.mutate(reservationInput());
    const f = feed<Change>();
    const sub = c.reservation.onChange.subscribe({ id: r.id }, f.handlers);
    expect(statusOf(await f.next())).toBe('1:PENDING');
    await own.close(); // resolves only once every connection, the open event stream too, is gone
    sub.unsubscribe(); // or the client would try to reconnect to the closed server
    release(r.id);
    await app.settled();
  });
});
