import { SpanKind, type Span } from '@opentelemetry/api';
import { activeTracer } from '../../platform/tracer';
import { toError } from '../errors';
import { creationContext, endFailed, messageAttributes, recorded } from '../message-tracing';
import type { Publisher } from './relay';

/**
 * Wraps what a relay publishes through: one `publish` span per message, child of the context it was
 * created in, from the relay taking it out of the outbox until the transport took responsibility
 * (broker confirm on RabbitMQ). Consumers' `process` spans are its siblings under that creation context.
 */
export const tracedPublisher = (next: Publisher): Publisher => ({
  publish(envelopes) {
    const tracer = activeTracer();
    if (!tracer) return next.publish(envelopes);
    const spans: Span[] = [];
    for (const e of envelopes) {
      const parent = creationContext(e);
      if (recorded(parent)) spans.push(tracer.startSpan(`publish ${e.type}`, { kind: SpanKind.PRODUCER, attributes: messageAttributes('send', 'publish', e) }, parent));
    }
    if (spans.length === 0) return next.publish(envelopes);
    return next.publish(envelopes).then(
      () => {
        for (const span of spans) span.end();
      },
      (thrown: unknown) => {
        const error = toError(thrown);
        for (const span of spans) endFailed(span, error);
        throw thrown;
      },
    );
  },
});
