import { context, trace } from '@opentelemetry/api';
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** Field paths that never reach a log line, whatever object they sit in. */
const REDACT = ['paymentToken', '*.paymentToken', '*.*.paymentToken', 'authorization', '*.authorization', 'token', '*.token'];

const NONE = Object.freeze({});

/**
 * With tracing on, every line names the span it was written in (`trace_id`, `span_id`, as OpenTelemetry's
 * log correlation names them), read when the line is written; without tracing there is no active span.
 */
function traceIds(): object {
  const span = trace.getSpanContext(context.active());
  return span ? { trace_id: span.traceId, span_id: span.spanId } : NONE;
}

/** `destination` defaults to stdout; tests pass a stream to read the lines. */
export function createLogger(level: string = 'info', destination?: DestinationStream): Logger {
  const options = { level, base: undefined, redact: { paths: REDACT, censor: '[redacted]' }, mixin: traceIds };
  return destination ? pino(options, destination) : pino(options);
}

export const silentLogger: Logger = pino({ level: 'silent' });
