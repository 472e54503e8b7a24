import { createTRPCClient, httpLink } from '@trpc/client';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppRouter, type AppRouter } from '../../src/api/router';
import { startHttpServer, type HttpServer } from '../../src/api/server';
import { FakeClock } from '../../src/bus/testing/fake-clock';
import { tempDir } from '../../src/bus/testing/temp-dir';
import { loadConfig } from '../../src/config';
import type { App } from '../../src/app';
import { buildApp } from '../../src/compose';
import { silentLogger } from '../../src/platform/logger';
import { PAST_RETRIES_MS, reservationInput, SCENARIO_ENV } from '../scenarios/system';
import { readScrape } from './prometheus';

const ADMIN_TOKEN = 'metrics-test-admin-token-0123';
const METRICS_TOKEN = 'metrics-test-scrape-token-0123';
const clock = new FakeClock();
let app: App;
let http: HttpServer;
let root: string;

const client = (headers: Record<string, string> = {}) => createTRPCClient<AppRouter>({ links: [httpLink({ url: http.url, headers })] });
const get = (path: string, headers: Record<string, string> = {}) => fetch(`${root}${path}`, { headers });
const scrape = async () => {
  const res = await get('/metrics', { authorization: `Bearer ${METRICS_TOKEN}` });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return readScrape(await res.text());
};

beforeAll(async () => {
  const config = loadConfig({ ...SCENARIO_ENV, DATA_DIR: tempDir('metrics-'), ADMIN_TOKEN, METRICS_TOKEN });
  app = buildApp(config, { clock, logger: silentLogger, random: () => 0.5 });
  await app.start();
  http = await startHttpServer(
    createAppRouter(app),
    { host: '127.0.0.1', port: 0, maxBodyBytes: config.MAX_BODY_BYTES, adminToken: ADMIN_TOKEN, observability: app.observability, metricsToken: METRICS_TOKEN },
    silentLogger,
  );
  root = http.url.replace(/\/trpc$/, '');
});
afterAll(async () => {
  await http.close();
  await app.stop();
});

describe('GET /metrics', () => {
  it('after two happy sagas, a decline and an outage dead letter replayed, counts exactly what happened', async () => {
    const api = client();
    const admin = client({ authorization: `Bearer ${ADMIN_TOKEN}` });
    await api.reservation.create.mutate(reservationInput());
    await api.reservation.create.mutate(reservationInput());
    await api.reservation.create.mutate(reservationInput({ paymentToken: 'tok_decline' }));
    await app.settled();
    await admin.admin.provider.setOutage.mutate({ on: true });
    const stuck = await api.reservation.create.mutate(reservationInput());
    await clock.advance(PAST_RETRIES_MS, () => app.settled()); // 3 tries at once, 3 delayed rounds, dead letter
    const [dl] = (await admin.admin.deadLetters.list.query({ group: 'payment' })).items;
    await admin.admin.provider.setOutage.mutate({ on: false });
    await admin.admin.deadLetters.replay.mutate({ id: dl!.id });
    await app.settled();
    expect((await api.reservation.get.query({ id: stuck.id })).status).toBe('CONFIRMED');

    const m = await scrape();
    const created = { group: 'payment', type: 'reservation.ReservationCreated' };
    // Sagas: 4 started; 3 confirmed (one after the replay), 1 declined; each end with its duration.
    expect(m.value('saga_started_total', { mode: 'choreography' })).toBe(4);
    expect(m.value('saga_ended_total', { mode: 'choreography', outcome: 'confirmed' })).toBe(3);
    expect(m.value('saga_ended_total', { mode: 'choreography', outcome: 'payment_declined' })).toBe(1);
    expect(m.count('saga_duration_seconds', { mode: 'choreography', outcome: 'confirmed' })).toBe(3);
    expect(m.count('saga_duration_seconds', { mode: 'choreography', outcome: 'payment_declined' })).toBe(1);
    // Published by each module's relay.
    expect(m.value('bus_messages_published_total', { module: 'reservation', type: 'reservation.ReservationCreated' })).toBe(4);
    expect(m.value('bus_messages_published_total', { module: 'reservation', type: 'reservation.ReservationConfirmed' })).toBe(3);
    expect(m.value('bus_messages_published_total', { module: 'reservation', type: 'reservation.ReservationCancelled' })).toBe(1);
    expect(m.value('bus_messages_published_total', { module: 'payment', type: 'payment.PaymentSucceeded' })).toBe(3);
    expect(m.value('bus_messages_published_total', { module: 'payment', type: 'payment.PaymentFailed' })).toBe(1);
    // Handled per group: payment handled every ReservationCreated (the stuck one on replay) and the cancellation.
    expect(m.value('bus_messages_handled_total', created)).toBe(4);
    expect(m.value('bus_messages_handled_total', { group: 'payment', type: 'reservation.ReservationCancelled' })).toBe(1);
    expect(m.value('bus_messages_handled_total', { group: 'reservation', type: 'payment.PaymentSucceeded' })).toBe(3);
    expect(m.value('bus_messages_handled_total', { group: 'reservation', type: 'payment.PaymentFailed' })).toBe(1);
    // The outage: 4 deliveries of 3 tries each (2 immediate retries each), 3 delayed rounds, then the dead letter; one replay.
    expect(m.value('bus_messages_retried_total', { ...created, kind: 'immediate' })).toBe(8);
    expect(m.value('bus_messages_retried_total', { ...created, kind: 'delayed' })).toBe(3);
    expect(m.value('bus_messages_dead_lettered_total', created)).toBe(1);
    expect(m.value('bus_messages_replayed_total', created)).toBe(1);
    expect(m.count('bus_handler_duration_seconds', created)).toBe(3 + 4 + 1);
    expect(m.value('bus_dead_letters', { group: 'payment', status: 'replayed' })).toBe(1);
    // Nothing left in either outbox.
    for (const module of ['reservation', 'payment']) {
      expect(m.value('outbox_pending_messages', { module })).toBe(0);
      expect(m.value('outbox_oldest_pending_age_seconds', { module })).toBe(0);
      expect(m.count('outbox_relay_publish_duration_seconds', { module })).toBeGreaterThan(0);
    }
    // HTTP by procedure and status code.
    expect(m.value('http_requests_total', { procedure: 'reservation.create', code: '200' })).toBe(4);
    expect(m.value('http_requests_total', { procedure: 'admin.provider.setOutage', code: '200' })).toBe(2);
    expect(m.value('http_requests_total', { procedure: 'admin.deadLetters.replay', code: '200' })).toBe(1);
    expect(m.count('http_request_duration_seconds', { procedure: 'reservation.create', code: '200' })).toBe(4);
    // Node's default process metrics come along.
    expect(m.families.map((f) => f.name)).toEqual(expect.arrayContaining(['process_cpu_seconds_total', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']));
  });

  it('follows Prometheus naming and keeps labels bounded: no id in any label', async () => {
    await client().reservation.get.query({ id: 'no-such-reservation' }).catch(() => undefined);
    const m = await scrape();
    for (const f of m.families) {
      if (f.type === 'COUNTER') expect(f.name).toMatch(/_total$/);
      if (f.type === 'HISTOGRAM' && !f.name.startsWith('nodejs_')) expect(f.name).toMatch(/_seconds$/);
    }
    expect(m.value('http_requests_total', { procedure: 'reservation.get', code: '404' })).toBe(1);
    const idLike = /[0-9a-f]{8}-[0-9a-f]{4}-|no-such-reservation/;
    expect(m.labelValues().filter((v) => idLike.test(v))).toEqual([]);
  });

  it('has every metric the Grafana dashboard in examples/ queries', async () => {
    const dashboard = readFileSync(resolve(import.meta.dirname, '../../examples/grafana-dashboard.json'), 'utf8');
    const exprs = [...dashboard.matchAll(/"expr": "((?:[^"\\]|\\.)*)"/g)].map((m) => m[1] as string);
    const used = new Set(exprs.flatMap((e) => [...e.matchAll(/\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b/g)].map((m) => m[0].replace(/_bucket$/, ''))));
    for (const notAMetric of ['histogram_quantile', 'rate_interval']) used.delete(notAMetric);
    const names = new Set((await scrape()).families.map((f) => f.name));
    expect([...used].filter((n) => !names.has(n))).toEqual([]);
    expect(used.size).toBeGreaterThan(10);
  });

  it('answers only the bearer of METRICS_TOKEN when one is set', async () => {
    expect((await get('/metrics')).status).toBe(401);
    expect((await get('/metrics', { authorization: 'Bearer not-the-token' })).status).toBe(401);
    expect((await get('/metrics', { authorization: `Bearer ${ADMIN_TOKEN}` })).status).toBe(401);
    expect((await get('/metrics', { authorization: `Bearer ${METRICS_TOKEN}` })).status).toBe(200);
  });
});

describe('GET /healthz and /readyz', () => {
  it('says alive, and ready with every check passing', async () => {
    expect(await (await get('/healthz')).json()).toEqual({ status: 'alive' });
    const res = await get('/readyz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: 'ready',
      checks: { 'sqlite bus.db': 'ok', 'sqlite reservation.db': 'ok', 'sqlite payment.db': 'ok', 'sqlite saga.db': 'ok', 'sqlite read-model.db': 'ok', 'outbox relays': 'ok' },
    });
  });
});
