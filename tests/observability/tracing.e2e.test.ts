import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createTRPCClient, httpLink } from '@trpc/client';
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
import { ancestry, traces } from './spans';

const ADMIN_TOKEN = 'tracing-test-admin-token-0123';
const clock = new FakeClock();
const exporter = new InMemorySpanExporter();
let app: App;
let http: HttpServer;
const client = (headers: Record<string, string> = {}) => createTRPCClient<AppRouter>({ links: [httpLink({ url: http.url, headers })] });

beforeAll(async () => {
  const config = loadConfig({ ...SCENARIO_ENV, DATA_DIR: tempDir('tracing-'), ADMIN_TOKEN });
  app = buildApp(config, { clock, logger: silentLogger, random: () => 0.5, tracing: { exporter, processor: 'simple' } });
  await app.start();
  http = await startHttpServer(createAppRouter(app), { host: '127.0.0.1', port: 0, maxBodyBytes: 100_000, adminToken: ADMIN_TOKEN, observability: app.observability }, silentLogger);
});
afterAll(async () => {
  await http.close();
  await app.stop();
});

const isBatchPublish = (s: ReadableSpan) => s.attributes['messaging.batch.message_count'] !== undefined;

const byName = (spans: readonly ReadableSpan[], name: string, group?: string) => {
  const found = spans.filter((s) => s.name === name && (group === undefined || s.attributes['messaging.consumer.group.name'] === group));
  expect(found, `${name}${group ? ` in group ${group}` : ''}`).toHaveLength(1);
  return found[0]!;
};

describe('tracing on the in-memory bus', () => {
  it('one trace per saga: HTTP create → outbox → publish → payment handler → provider → outcome → reservation handler', async () => {
    exporter.reset();
    const api = client();
    const ids = [];
    // One saga at a time, so that the relay publishes each message alone (under a span in the saga's tree).
    for (const paymentToken of ['tok_ok', 'tok_decline', 'tok_ok']) {
      ids.push((await api.reservation.create.mutate(reservationInput({ paymentToken }))).id);
      await app.settled();
    }

    const finished = exporter.getFinishedSpans();
    // A relay batch of several messages would be published under one span of its own, linked to each
    // message's creation (the next test); everything else belongs to the sagas.
    const batches = finished.filter(isBatchPublish);
    const all = finished.filter((s) => !isBatchPublish(s));
    const sagas = traces(all);
    expect(sagas.size).toBe(3); // nothing else was traced, and no saga was split
    // A message's creation context: its create span, or the process span of the handler that created it.
    const creations = new Set(all.filter((s) => s.name.startsWith('create ') || s.name.startsWith('process ')).map((s) => s.spanContext().spanId));
    for (const b of batches) for (const l of b.links) expect(creations.has(l.context.spanId), 'a batch publish links to creation contexts').toBe(true);
    for (const [i, spans] of [...sagas.values()].entries()) {
      const outcome = i === 1 ? 'PaymentFailed' : 'PaymentSucceeded';
      const root = byName(spans, 'POST /trpc/reservation.create');
      expect(root).toMatchObject({ kind: SpanKind.SERVER, parentSpanContext: undefined });
      const reservationHandler = byName(spans, `process payment.${outcome}`, 'reservation');
      // The whole causal chain, each span the parent of the next. The outcome was created by the payment
      // handler, so its creation context is that handler's span (no create span of its own):
      expect(ancestry(spans, reservationHandler).map((s) => s.name)).toEqual([
        `process payment.${outcome}`,
        'process reservation.ReservationCreated',
        'create reservation.ReservationCreated',
        'POST /trpc/reservation.create',
      ]);
      const paymentHandler = byName(spans, 'process reservation.ReservationCreated', 'payment');
      expect(byName(spans, 'payment-provider charge').parentSpanContext?.spanId).toBe(paymentHandler.spanContext().spanId);
      expect(byName(spans, `publish payment.${outcome}`).parentSpanContext?.spanId).toBe(paymentHandler.spanContext().spanId);
      // Only the message created outside any handler (by the request) has a create span.
      expect(spans.filter((s) => s.name.startsWith('create ')).map((s) => s.name)).toEqual(['create reservation.ReservationCreated']);
      expect(byName(spans, 'publish reservation.ReservationCreated').parentSpanContext?.spanId).toBe(
        byName(spans, 'create reservation.ReservationCreated').spanContext().spanId,
      );
      expect(paymentHandler).toMatchObject({
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'memory',
          'messaging.operation.type': 'process',
          'messaging.destination.name': 'reservation.ReservationCreated',
          'messaging.consumer.group.name': 'payment',
          'messaging.message.id': expect.any(String),
          'messaging.message.conversation_id': ids[i],
        },
      });
      // Every span but the HTTP request hangs off another span of the same trace.
      const inTrace = new Set(spans.map((s) => s.spanContext().spanId));
      for (const s of spans) if (s !== root) expect(inTrace.has(s.parentSpanContext?.spanId ?? ''), s.name).toBe(true);
      if (outcome === 'PaymentFailed') {
        expect(byName(spans, 'payment-provider charge').attributes).toMatchObject({ 'payment.outcome': 'declined' });
        byName(spans, 'process reservation.ReservationCancelled', 'payment'); // the compensation is in the same trace
      }
    }
    expect(JSON.stringify(all.map((s) => s.attributes))).not.toMatch(/tok_/);
    // Groups that only record (the read model, the choreography observer) add no spans: nothing of a saga hangs off them.
    const groups = new Set(all.map((s) => s.attributes['messaging.consumer.group.name']).filter((g) => g !== undefined));
    expect([...groups].sort()).toEqual(['payment', 'reservation']);
  });

  it('publishes a relay batch of many messages under one span per 128, linked to each message’s creation; consumers stay in the sagas’ traces', async () => {
    exporter.reset();
    const N = 200;
    // Created together, published by the relay in batches of up to 256 rows.
    const made = await Promise.all(Array.from({ length: N }, (_, i) => app.reservation.create(reservationInput({ resourceId: `batch-${i}` }))));
    await app.settled();
    const spans = exporter.getFinishedSpans();
    const batches = spans.filter(isBatchPublish);
    expect(batches.length).toBeGreaterThan(0);
    for (const b of batches) {
      expect(b).toMatchObject({ kind: SpanKind.PRODUCER, parentSpanContext: undefined, attributes: { 'messaging.operation.type': 'send', 'messaging.system': 'memory' } });
      expect(b.links.length).toBe(b.attributes['messaging.batch.message_count']);
      expect(b.links.length).toBeLessThanOrEqual(128);
    }
    // Every ReservationCreated was published exactly once: under its own span or as one link of a batch.
    const created = spans.filter((s) => s.name === 'create reservation.ReservationCreated');
    expect(created).toHaveLength(N);
    const linked = new Set(batches.flatMap((b) => b.links.map((l) => l.context.spanId)));
    const single = new Set(spans.filter((s) => s.name === 'publish reservation.ReservationCreated' && !isBatchPublish(s)).map((s) => s.parentSpanContext?.spanId));
    for (const c of created) expect(linked.has(c.spanContext().spanId) !== single.has(c.spanContext().spanId)).toBe(true);
    expect(linked.size).toBeGreaterThan(0);
    // The payment handler's span is still a child of its message's creation, in the saga's trace.
    const traceOf = new Map(created.map((c) => [c.spanContext().spanId, c.spanContext().traceId]));
    for (const p of spans.filter((s) => s.name === 'process reservation.ReservationCreated' && s.attributes['messaging.consumer.group.name'] === 'payment'))
      expect(traceOf.get(p.parentSpanContext?.spanId ?? '')).toBe(p.spanContext().traceId);
    expect(made).toHaveLength(N);
  });

  it('stores the trace context with the outbox row and the dead letter; a replay is a new trace linked to the original', async () => {
    const admin = client({ authorization: `Bearer ${ADMIN_TOKEN}` });
    await admin.admin.provider.setOutage.mutate({ on: true });
    exporter.reset();
    const r = await client().reservation.create.mutate(reservationInput());
    await clock.advance(PAST_RETRIES_MS, () => app.settled());
    const original = byName(exporter.getFinishedSpans(), 'POST /trpc/reservation.create').spanContext().traceId;

    const row = app.reservation.store.db.prepare<[string], string>(`SELECT envelope FROM events WHERE stream_id = ? AND type = 'reservation.ReservationCreated'`).pluck().get(r.id);
    expect(JSON.parse(row!)).toMatchObject({ headers: { traceparent: expect.stringMatching(new RegExp(`^00-${original}-[0-9a-f]{16}-01$`)) } });
    const [dl] = (await admin.admin.deadLetters.list.query({ group: 'payment' })).items;
    expect(dl!.envelope.headers.traceparent).toBe(JSON.parse(row!).headers.traceparent);
    // Every round of the outage was a process span in the original trace, failed.
    const rounds = exporter.getFinishedSpans().filter((s) => s.name === 'process reservation.ReservationCreated' && s.attributes['messaging.consumer.group.name'] === 'payment');
    expect(rounds.map((s) => [s.spanContext().traceId, s.attributes['bus.settlement']])).toEqual([
      [original, 'retry'],
      [original, 'retry'],
      [original, 'retry'],
      [original, 'dead-lettered'],
    ]);

    await admin.admin.provider.setOutage.mutate({ on: false });
    exporter.reset();
    await admin.admin.deadLetters.replay.mutate({ id: dl!.id });
    await app.settled();
    expect((await client().reservation.get.query({ id: r.id })).status).toBe('CONFIRMED');
    const spans = exporter.getFinishedSpans();
    const replayed = byName(spans, 'process reservation.ReservationCreated', 'payment');
    expect(replayed.parentSpanContext).toBeUndefined(); // a trace of its own
    expect(replayed.spanContext().traceId).not.toBe(original);
    expect(replayed.links).toEqual([expect.objectContaining({ context: expect.objectContaining({ traceId: original }), attributes: { 'bus.replay_of': dl!.id } })]);
    // What the replay caused continues in the replay's trace, up to the reservation's confirmation.
    expect(byName(spans, 'process payment.PaymentSucceeded', 'reservation').spanContext().traceId).toBe(replayed.spanContext().traceId);
  });
});
