import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { ReservationCreated } from '../../src/modules/reservation/contracts/events';
import { createLogger } from '../../src/platform/logger';
import { PAST_RETRIES_MS, startSystem, type System } from '../scenarios/system';
import { loadConfig } from '../../src/config';
import { buildApp } from '../../src/compose';
import { tempDir } from '../../src/bus/testing/temp-dir';

const FLAKY = 'tok_flaky_s3cr3t_4242';
const OUTAGE = 'tok_ok_s3cr3t_4343';

let sys: System | null = null;
afterEach(async () => {
  await sys?.stop();
  sys = null;
});

/** A logger built as `npm start` builds it (redaction, trace ids), writing into an array. */
function capture() {
  const lines: string[] = [];
  const log = createLogger('debug', new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(...chunk.toString().split('\n').filter(Boolean)), done()) }));
  return { log, lines, parsed: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('delivery log lines', () => {
  it('carry the message, correlation, causation, type, group, attempt and trace ids, and never a payment token', async () => {
    const out = capture();
    const exporter = new InMemorySpanExporter();
    sys = await startSystem({
      logger: out.log,
      tracing: { exporter, processor: 'simple' },
      // A careless handler that logs the whole message: the token must still not get out.
      beforeStart: (app) => app.bus.subscribe('log-probe', [ReservationCreated], (m) => m.log.info({ payload: m.payload, envelope: m.envelope }, 'probe saw a reservation')),
    });
    const flaky = await sys.create({ paymentToken: FLAKY });
    await sys.settle();
    sys.app.payment.setProviderOutage(true);
    await sys.create({ paymentToken: OUTAGE });
    await sys.advance(PAST_RETRIES_MS);
    expect(sys.reservation(flaky.id).status).toBe('CONFIRMED');

    const lines = out.parsed();
    const delivery = lines.filter((l) => 'messageId' in l);
    const messages = new Set(delivery.map((l) => l.msg));
    expect([...messages].sort()).toEqual(['handler failed, retrying', 'message dead-lettered', 'probe saw a reservation']);
    for (const l of delivery) {
      expect(l).toMatchObject({
        messageId: expect.any(String),
        correlationId: expect.any(String),
        type: expect.stringMatching(/^reservation\./),
        group: expect.stringMatching(/^(payment|log-probe)$/),
        attempt: expect.any(Number),
        trace_id: expect.stringMatching(/^[0-9a-f]{32}$/),
        span_id: expect.stringMatching(/^[0-9a-f]{16}$/),
      });
      expect(l).toHaveProperty('causationId'); // null for a message no other message caused
    }
    // The attempt counts handler invocations across rounds: the flaky token's two failures, the outage's twelve.
    const retriesOfFlaky = delivery.filter((l) => l.msg === 'handler failed, retrying' && l.correlationId === flaky.id).map((l) => l.attempt);
    expect(retriesOfFlaky).toEqual([1, 2]);
    expect(delivery.find((l) => l.msg === 'message dead-lettered')).toMatchObject({ attempt: 12, attempts: 12 });
    // The span a line names is the delivery's process span.
    const spanIds = new Set(exporter.getFinishedSpans().filter((s) => s.name.startsWith('process ')).map((s) => s.spanContext().spanId));
    for (const l of delivery) expect(spanIds.has(l.span_id as string)).toBe(true);

    expect(out.lines.join('\n')).not.toContain('s3cr3t');
    expect(delivery.find((l) => l.msg === 'probe saw a reservation')).toMatchObject({ payload: { paymentToken: '[redacted]' }, envelope: { payload: { paymentToken: '[redacted]' } } });
  });

  it('carry no trace ids when tracing is off', async () => {
    const out = capture();
    const app = buildApp(loadConfig({ DATA_DIR: tempDir('logs-'), LOG_LEVEL: 'debug' }), { logger: out.log });
    app.bus.subscribe('log-probe', [ReservationCreated], (m) => m.log.info('probe saw a reservation'));
    await app.start();
    await app.reservation.create({ customerId: 'c', resourceId: 'r', startsAt: '2031-01-01T10:00:00Z', endsAt: '2031-01-01T11:00:00Z', amount: 100, currency: 'EUR', paymentToken: 'tok_ok' });
    await app.settled();
    await app.stop();
    const line = out.parsed().find((l) => l.msg === 'probe saw a reservation');
    expect(line).toMatchObject({ group: 'log-probe', attempt: 1 });
    expect(line).not.toHaveProperty('trace_id');
  });
});
