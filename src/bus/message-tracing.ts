import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';
import { activeTracer } from '../platform/tracer';
import type { Envelope } from './envelope';

/**
 * OpenTelemetry messaging semantic conventions, written out (the semantic-conventions package keeps them
 * under "incubating", which it asks users to copy rather than import).
 */
export const MESSAGING = {
  system: 'messaging.system',
  operationType: 'messaging.operation.type',
  operationName: 'messaging.operation.name',
  destination: 'messaging.destination.name',
  messageId: 'messaging.message.id',
  conversationId: 'messaging.message.conversation_id',
  consumerGroup: 'messaging.consumer.group.name',
} as const;

let system = 'memory';
/** The transport's name as `messaging.system` on every message span (the composition root sets it with the bus). */
export function setMessagingSystem(name: string): void {
  system = name;
}

/** The attributes every span about one message carries. */
export const messageAttributes = (operationType: string, operationName: string, e: Pick<Envelope, 'type' | 'id' | 'correlationId'>): Attributes => ({
  [MESSAGING.system]: system,
  [MESSAGING.operationType]: operationType,
  [MESSAGING.operationName]: operationName,
  [MESSAGING.destination]: e.type,
  [MESSAGING.messageId]: e.id,
  [MESSAGING.conversationId]: e.correlationId,
});

/**
 * Headers for a message being created: with tracing on, a `create` span under whatever is active (an
 * HTTP request, the handler of the message that caused this one) and its W3C context (`traceparent`,
 * `tracestate`). The headers are stored with the outbox row, delayed retries and dead letters, so every
 * later step of the message (publish, process, replay) joins or links to this trace, in any process.
 */
export function headersForNewMessage(e: Pick<Envelope, 'type' | 'id' | 'correlationId'>, headers: Record<string, string> | undefined): Record<string, string> {
  const tracer = activeTracer();
  if (!tracer) return headers ?? {};
  const parent = context.active();
  const span = tracer.startSpan(`create ${e.type}`, { kind: SpanKind.PRODUCER, attributes: messageAttributes('create', 'create', e) }, parent);
  const carrier = { ...headers };
  propagation.inject(trace.setSpan(parent, span), carrier);
  span.end();
  return carrier;
}

/** The context the message was created in, read back from its headers (the root context if it has none). */
export const creationContext = (e: Pick<Envelope, 'headers'>): Context => propagation.extract(ROOT_CONTEXT, e.headers);

/** Ends a span as failed, with the error's name and message (never a payload). */
export function endFailed(span: Span, error: Error | string): void {
  const message = typeof error === 'string' ? error : error.message;
  if (typeof error !== 'string') span.recordException({ name: error.name, message });
  span.setStatus({ code: SpanStatusCode.ERROR, message });
  span.end();
}
