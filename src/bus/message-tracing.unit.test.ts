import { trace, TraceFlags, type SpanContext } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { deliveryContextForKey, enterDelivery } from './message-tracing';

const span = (n: number): SpanContext => ({ traceId: 'a'.repeat(31) + n, spanId: 'b'.repeat(15) + n, traceFlags: TraceFlags.SAMPLED });
const current = (key: string) => {
  const ctx = deliveryContextForKey(key);
  return ctx ? trace.getSpanContext(ctx)?.spanId : undefined;
};

describe('the process spans of deliveries in progress', () => {
  it('are found by message key while their delivery runs, and gone after', () => {
    const leave = enterDelivery({ id: 'm1', key: 'k1' }, span(1));
    expect(current('k1')).toBe(span(1).spanId);
    leave();
    expect(current('k1')).toBeUndefined();
  });

  it('when deliveries overlap, what they cause hangs off the earliest still in progress; one ending never takes the others away', () => {
    const leaveFirst = enterDelivery({ id: 'm2', key: 'k2' }, span(1));
    const leaveSecond = enterDelivery({ id: 'm2', key: 'k2' }, span(2));
    const leaveThird = enterDelivery({ id: 'm3', key: 'k2' }, span(3));
    expect(current('k2')).toBe(span(1).spanId);
    leaveFirst();
    expect(current('k2')).toBe(span(2).spanId);
    leaveThird();
    expect(current('k2')).toBe(span(2).spanId);
    leaveSecond();
    expect(current('k2')).toBeUndefined();
    leaveSecond(); // twice is harmless
    expect(current('k2')).toBeUndefined();
  });
});
