import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

/** Spans grouped by trace id, traces in the order their first span ended. */
export function traces(spans: readonly ReadableSpan[]): Map<string, ReadableSpan[]> {
  const out = new Map<string, ReadableSpan[]>();
  for (const s of spans) {
    const id = s.spanContext().traceId;
    out.set(id, [...(out.get(id) ?? []), s]);
  }
  return out;
}

/** `span`, its parent, its parent's parent … up to the root, within `spans`. */
export function ancestry(spans: readonly ReadableSpan[], span: ReadableSpan): ReadableSpan[] {
  const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
  const chain = [span];
  for (let p = span.parentSpanContext?.spanId; p !== undefined; ) {
    const parent = byId.get(p);
    if (!parent) break;
    chain.push(parent);
    p = parent.parentSpanContext?.spanId;
  }
  return chain;
}
