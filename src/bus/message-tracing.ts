import { propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags, type Attributes, type Context, type Span, type SpanContext } from '@opentelemetry/api';
import { activeTracer } from '../platform/tracer';
/** The envelope fields tracing reads (declared here: envelope.ts imports this file, so no import back). */
interface Envelope {
  id: string;
  type: string;
  key: string;
  correlationId: string;
  causationId: string | null;
  headers: Record<string, string>;
}

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
  batchCount: 'messaging.batch.message_count',
} as const;

let system = 'memory';
/** The transport's name as `messaging.system` on every message span (the composition root sets it with the bus). */
export function setMessagingSystem(name: string): void {
  system = name;
}

/** What `messaging.system` says in this process. */
export const messagingSystem = (): string => system;

/** The attributes every span about one message carries. */
export const messageAttributes = (operationType: string, operationName: string, e: Pick<Envelope, 'type' | 'id' | 'correlationId'>): Attributes => ({
  [MESSAGING.system]: system,
  [MESSAGING.operationType]: operationType,
  [MESSAGING.operationName]: operationName,
  [MESSAGING.destination]: e.type,
  [MESSAGING.messageId]: e.id,
  [MESSAGING.conversationId]: e.correlationId,
});

/*
 * Trace context is passed explicitly, not through AsyncLocalStorage: on Node 20 an active
 * AsyncLocalStorage hooks every promise in the process, which alone cost about a third of a saga's CPU
 * in the bench. A handler finds its parent span through the message it handles: the process span of a
 * delivery in progress is registered under the message's id (what `causedBy` names as the causation of
 * the messages the handler creates) and under its key (the reservation id, which the payment provider
 * is called with). Several groups handle the same message at once (a module and the saga's observer):
 * each registers its span, and what they cause hangs off the earliest one still in progress (the module's:
 * modules subscribe before the saga's observer); one ending never takes the others' away.
 */
// One context per id in the usual case; a list only while several deliveries of one id or key overlap.
type Registered = Context | Context[];
const byMessage = new Map<string, Registered>();
const byKey = new Map<string, Registered>();

const push = (m: Map<string, Registered>, k: string, ctx: Context) => {
  const held = m.get(k);
  if (held === undefined) m.set(k, ctx);
  else if (Array.isArray(held)) held.push(ctx);
  else m.set(k, [held, ctx]);
};
const remove = (m: Map<string, Registered>, k: string, ctx: Context) => {
  const held = m.get(k);
  if (held === ctx) m.delete(k);
  else if (Array.isArray(held)) {
    const i = held.lastIndexOf(ctx);
    if (i >= 0) held.splice(i, 1);
    if (held.length === 1) m.set(k, held[0] as Context);
    else if (held.length === 0) m.delete(k);
  }
};
const earliest = (m: Map<string, Registered>, k: string): Context | undefined => {
  const held = m.get(k);
  return Array.isArray(held) ? held[0] : held;
};

/**
 * Registers a delivery's process span; the returned function unregisters it when the delivery ends. The
 * context is made once here, not for each message and call the handler makes under it.
 */
export function enterDelivery(e: Pick<Envelope, 'id' | 'key'>, span: SpanContext): () => void {
  const ctx = trace.setSpanContext(ROOT_CONTEXT, span);
  push(byMessage, e.id, ctx);
  push(byKey, e.key, ctx);
  return () => {
    remove(byMessage, e.id, ctx);
    remove(byKey, e.key, ctx);
  };
}

/**
 * Whether spans under this context are recorded. A trace the sampler left out (OTEL_TRACES_SAMPLER) gets
 * no child spans at all: its context is passed on as it is, which is all a left-out trace needs.
 */
export const recorded = (ctx: Context | undefined): boolean => {
  const span = ctx && trace.getSpanContext(ctx);
  return span === undefined || (span.traceFlags & TraceFlags.SAMPLED) !== 0;
};

/**
 * The context a header object this process wrote was made from, kept on the object itself (a symbol
 * key: JSON never sees it), so in-process publish and process need not parse `traceparent` again. Not a
 * WeakMap: tens of thousands of short-lived weak entries a second made garbage collection measurably slower.
 */
const MADE_FROM = Symbol('trace context these headers were made from');
type Carrier = Record<string, string> & { [MADE_FROM]?: Context };

/** The process span of a delivery in progress for messages with this key, if there is one. */
export const deliveryContextForKey = (key: string): Context | undefined => earliest(byKey, key);

/**
 * Headers for a message being created, with tracing on: the W3C context (`traceparent`, `tracestate`) the
 * message was created in. A message a handler creates takes the handler's `process` span as its creation
 * context, as it is: that span covers the transaction that writes the message to its outbox, and the
 * messaging conventions make a `create` span optional and ask for none where such a context exists (a
 * `create` span per message was a third of a saga's spans, and a recorded span costs several µs). A message
 * created anywhere else gets a `create` span (the message written to its outbox), child of the trace
 * context the caller passed in `headers` (an HTTP request's), else the start of a new trace (a deadline
 * timer, a script). The headers are stored with the outbox row, delayed retries and dead letters, so every
 * later step of the message (publish, process, replay) joins or links to this trace, in any process.
 */
export function headersForNewMessage(e: Pick<Envelope, 'type' | 'id' | 'correlationId' | 'causationId'>, headers: Record<string, string> | undefined): Record<string, string> {
  const tracer = activeTracer();
  if (!tracer) return headers ?? {};
  let made = e.causationId !== null ? earliest(byMessage, e.causationId) : undefined;
  if (!made) {
    const parent = headers ? propagation.extract(ROOT_CONTEXT, headers) : ROOT_CONTEXT;
    made = parent;
    if (recorded(parent)) {
      const span = tracer.startSpan(`create ${e.type}`, { kind: SpanKind.PRODUCER, attributes: messageAttributes('create', 'create', e) }, parent);
      span.end();
      // The ids only: the context stays with the message's headers, and the ended span need not.
      made = trace.setSpanContext(parent, span.spanContext());
    }
  }
  const carrier: Carrier = headers ? { ...headers } : {};
  propagation.inject(made, carrier);
  carrier[MADE_FROM] = made;
  return carrier;
}

/** The context the message was created in, read back from its headers (the root context if it has none). */
export const creationContext = (e: Pick<Envelope, 'headers'>): Context => (e.headers as Carrier)[MADE_FROM] ?? propagation.extract(ROOT_CONTEXT, e.headers);

/** Ends a span as failed, with the error's name and message (never a payload). */
export function endFailed(span: Span, error: Error | string): void {
  const message = typeof error === 'string' ? error : error.message;
  if (typeof error !== 'string') span.recordException({ name: error.name, message });
  span.setStatus({ code: SpanStatusCode.ERROR, message });
  span.end();
}
