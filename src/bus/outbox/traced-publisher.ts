import { SpanKind, trace, type Attributes, type Link, type Span } from '@opentelemetry/api';
import { activeTracer } from '../../platform/tracer';
import { toError } from '../errors';
import { creationContext, endFailed, MESSAGING, messageAttributes, messagingSystem, recorded } from '../message-tracing';
import type { Envelope } from '../envelope';
import type { Publisher } from './relay';

/** The SDK's default limit of links per span (OTEL_SPAN_LINK_COUNT_LIMIT): a larger batch gets one span per this many messages. */
const LINKS_PER_SPAN = 128;

/**
 * Wraps what a relay publishes through, from the relay taking messages out of the outbox until the
 * transport took responsibility (broker confirm on RabbitMQ), as the OpenTelemetry messaging
 * conventions lay out a send:
 *
 * - a batch of one message (the usual case at a user's pace) gets a `publish {type}` span, child of the
 *   context the message was created in: the saga's trace shows create → publish → process in one tree;
 * - a batch of several (under load the relay takes up to 256 rows at once) gets one `publish` span per
 *   128 messages, the start of a trace of its own, linked to each message's creation context and
 *   carrying `messaging.batch.message_count`: a span per message cost as much as the saga's other spans
 *   of that message, and the conventions ask a batch send for this shape (links: a span has one parent).
 *
 * Consumers' `process` spans are children of the creation context either way, so the saga stays one
 * trace across modules and processes.
 */
export const tracedPublisher = (next: Publisher): Publisher => ({
  publish(envelopes) {
    const tracer = activeTracer();
    if (!tracer) return next.publish(envelopes);
    const spans: Span[] = [];
    if (envelopes.length === 1) {
      const e = envelopes[0] as Envelope;
      const parent = creationContext(e);
      if (recorded(parent)) spans.push(tracer.startSpan(`publish ${e.type}`, { kind: SpanKind.PRODUCER, attributes: messageAttributes('send', 'publish', e) }, parent));
    } else {
      let links: Link[] = [];
      let type: string | null | undefined;
      const flush = () => {
        const attributes: Attributes = {
          [MESSAGING.system]: messagingSystem(),
          [MESSAGING.operationType]: 'send',
          [MESSAGING.operationName]: 'publish',
          [MESSAGING.batchCount]: links.length,
        };
        if (type) attributes[MESSAGING.destination] = type;
        spans.push(tracer.startSpan(type ? `publish ${type}` : 'publish', { kind: SpanKind.PRODUCER, attributes, links, root: true }));
        [links, type] = [[], undefined];
      };
      for (const e of envelopes) {
        const parent = creationContext(e);
        const context = trace.getSpanContext(parent);
        if (!context || !recorded(parent)) continue;
        links.push({ context });
        type = type === undefined ? e.type : type === e.type ? type : null;
        if (links.length === LINKS_PER_SPAN) flush();
      }
      if (links.length > 0) flush();
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
