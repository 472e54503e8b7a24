import { AlwaysOffSampler, InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import type { Envelope } from '../../src/bus/envelope';
import { startSystem, type System } from '../scenarios/system';

let sys: System | null = null;
afterEach(async () => {
  await sys?.stop();
  sys = null;
});

describe('a trace the sampler leaves out', () => {
  it('gets no spans, yet every message of its saga carries the same trace context (unsampled)', async () => {
    const exporter = new InMemorySpanExporter();
    sys = await startSystem({ tracing: { exporter, processor: 'simple', sampler: new AlwaysOffSampler() } });
    const r = await sys.create();
    await sys.settle();
    expect(sys.reservation(r.id).status).toBe('CONFIRMED');
    expect(exporter.getFinishedSpans()).toEqual([]);
    const rows = sys.app.reservation.store.db.prepare<[string], string>('SELECT envelope FROM events WHERE stream_id = ? ORDER BY version').pluck().all(r.id);
    const parents = rows.map((row) => (JSON.parse(row) as Envelope).headers.traceparent);
    expect(parents).toHaveLength(2); // ReservationCreated, then ReservationConfirmed caused (via payment) by it
    expect(parents.every((p) => /^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/.test(p ?? ''))).toBe(true);
    expect(new Set(parents.map((p) => p?.split('-')[1])).size).toBe(1);
  });
});
