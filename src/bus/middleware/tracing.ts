import { context, SpanKind, trace, type Link } from '@opentelemetry/api';
import { activeTracer } from '../../platform/tracer';
import { REPLAY_HEADER } from '../dead-letters/operations';
import { toError } from '../errors';
import { creationContext, endFailed, MESSAGING, messageAttributes } from '../message-tracing';
import type { SubscriptionMiddleware } from '../ports';

/**
 * Right inside correlation: one `process` span per delivery, child of the context the message was
 * created in (read from its headers), so a saga is one trace across modules and processes. The handler
 * runs inside the span: what it writes, calls and logs joins it. A replayed dead letter starts a new
 * trace (or joins the operator's request) linked to the original, which ended long before.
 */
export const tracing: SubscriptionMiddleware =
  ({ group }) =>
  (next) =>
  (d) => {
    const tracer = activeTracer();
    if (!tracer) return next(d);
    const e = d.envelope;
    const origin = creationContext(e);
    const replayOf = e.headers[REPLAY_HEADER];
    const parent = replayOf === undefined ? origin : context.active();
    const originSpan = trace.getSpanContext(origin);
    const links: Link[] | undefined = replayOf !== undefined && originSpan ? [{ context: originSpan, attributes: { 'bus.replay_of': replayOf } }] : undefined;
    const attributes = messageAttributes('process', 'process', e);
    attributes[MESSAGING.consumerGroup] = group;
    attributes['bus.delivery.round'] = d.round;
    const span = tracer.startSpan(`process ${e.type}`, { kind: SpanKind.CONSUMER, attributes, ...(links ? { links } : {}) }, parent);
    return context.with(trace.setSpan(parent, span), next, undefined, d).then(
      (s) => {
        span.setAttributes({ 'bus.settlement': s.kind, 'bus.tries': d.tries });
        if (s.kind === 'ack') span.end();
        else endFailed(span, s.kind === 'retry' ? s.error : 'dead-lettered');
        return s;
      },
      (thrown: unknown) => {
        endFailed(span, toError(thrown));
        throw thrown;
      },
    );
  };
