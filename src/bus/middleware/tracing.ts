import { SpanKind, trace, type Link } from '@opentelemetry/api';
import { activeTracer } from '../../platform/tracer';
import { REPLAY_HEADER } from '../dead-letters/operations';
import { toError } from '../errors';
import { creationContext, endFailed, enterDelivery, MESSAGING, messageAttributes, recorded } from '../message-tracing';
import type { Envelope } from '../envelope';
import type { SubscriptionInfo, SubscriptionMiddleware } from '../ports';

/**
 * Right inside correlation: one `process` span per delivery, child of the context the message was
 * created in (read from its headers), so a saga is one trace across modules and processes. While the
 * handler runs, the span is registered for what it creates and calls (see message-tracing.ts) and its ids
 * go on the delivery's log lines. A replayed dead letter starts a new trace linked to the original, which
 * ended long before. A leaf group (a projection, the choreography observer: it sends nothing) gets no
 * span, like a trace the sampler left out: its log lines carry the message's trace.
 */
const traced: SubscriptionMiddleware =
  ({ group, leaf }) =>
  (next) =>
  (d) => {
    const tracer = activeTracer();
    if (!tracer) return next(d);
    const e = d.envelope;
    const origin = creationContext(e);
    const replayOf = e.headers[REPLAY_HEADER];
    const originSpan = trace.getSpanContext(origin);
    if (leaf && originSpan) {
      d.traceIds = { trace_id: originSpan.traceId, span_id: originSpan.spanId };
      return next(d);
    }
    if (replayOf === undefined && originSpan && !recorded(origin)) {
      // A trace the sampler left out: no span, but what the handler creates carries the trace on, and so do its log lines.
      d.traceIds = { trace_id: originSpan.traceId, span_id: originSpan.spanId };
      const leave = enterDelivery(e, originSpan);
      return next(d).finally(leave);
    }
    const links: Link[] | undefined = replayOf !== undefined && originSpan ? [{ context: originSpan, attributes: { 'bus.replay_of': replayOf } }] : undefined;
    const attributes = messageAttributes('process', 'process', e);
    attributes[MESSAGING.consumerGroup] = group;
    attributes['bus.delivery.round'] = d.round;
    const span = tracer.startSpan(`process ${e.type}`, { kind: SpanKind.CONSUMER, attributes, ...(links ? { links, root: true } : {}) }, origin);
    const ids = span.spanContext();
    d.traceIds = { trace_id: ids.traceId, span_id: ids.spanId };
    const leave = enterDelivery(e, ids);
    return next(d).then(
      (s) => {
        leave();
        span.setAttribute('bus.settlement', s.kind);
        span.setAttribute('bus.tries', d.tries);
        if (s.kind === 'ack') span.end();
        else endFailed(span, s.kind === 'retry' ? s.error : 'dead-lettered');
        return s;
      },
      (thrown: unknown) => {
        leave();
        endFailed(span, toError(thrown));
        throw thrown;
      },
    );
  };

/**
 * On the batch path (router.ts), a leaf group's message needs nothing from this layer when it carries the
 * context it was created in (its log lines would carry that trace; a handled one logs nothing): only a
 * message without one would get a span of its own here, so that one takes the chain.
 */
export const tracing: SubscriptionMiddleware = Object.assign(traced, {
  batchHooks: ({ leaf }: SubscriptionInfo) => ({
    admits: (e: Envelope) => !activeTracer() || (leaf && trace.getSpanContext(creationContext(e)) !== undefined),
  }),
});
