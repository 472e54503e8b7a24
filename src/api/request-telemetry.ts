import { propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppMetrics } from '../platform/metrics';
import { activeTracer } from '../platform/tracer';

export type Handle = (req: IncomingMessage, res: ServerResponse) => void;

const spanHeaders = new WeakMap<IncomingMessage, Record<string, string>>();
/**
 * The W3C trace context of the request's server span, for the tRPC context: a procedure that starts a
 * saga hands it to the messages it creates (there is no AsyncLocalStorage; see bus/message-tracing.ts).
 */
export const traceHeadersOf = (req: IncomingMessage): Record<string, string> | undefined => spanHeaders.get(req);

/**
 * Per tRPC request: `http_requests_total` and `http_request_duration_seconds` by procedure and status
 * code, and with tracing on a server span (continuing a caller's `traceparent`) whose context the
 * procedure gets (traceHeadersOf), so a reservation's saga trace starts at its HTTP request. The procedure label is a known procedure
 * name, `batch` or `unknown`: never a raw path. Null when neither metrics nor tracing is on.
 */
export function requestTelemetry(procedureNames: readonly string[], basePath: string, metrics: AppMetrics | null, tracing: boolean) {
  if (!metrics && !tracing) return null;
  const known = new Set(procedureNames);
  const procedureOf = (url: string): string => {
    const q = url.indexOf('?');
    if (q !== -1 && url.includes('batch=', q)) return 'batch';
    let path: string;
    try {
      path = decodeURIComponent(url.slice(basePath.length, q === -1 ? undefined : q));
    } catch {
      return 'unknown';
    }
    return known.has(path) ? path : path.includes(',') ? 'batch' : 'unknown';
  };
  return (req: IncomingMessage, res: ServerResponse, handle: Handle): void => {
    const procedure = procedureOf(req.url ?? '');
    const start = performance.now();
    const tracer = tracing ? activeTracer() : null;
    const parent = tracer ? propagation.extract(ROOT_CONTEXT, req.headers) : ROOT_CONTEXT;
    const route = `${basePath}${procedure}`;
    const span = tracer?.startSpan(
      `${req.method ?? 'GET'} ${route}`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method ?? 'GET', 'http.route': route, 'url.path': (req.url ?? '').split('?')[0], 'rpc.system': 'trpc', 'rpc.method': procedure } },
      parent,
    );
    res.once('close', () => {
      // A response the client abandoned before it was sent counts as `aborted`, not as the status it would have had.
      const code = res.writableFinished ? String(res.statusCode) : 'aborted';
      metrics?.httpRequest(procedure, code, (performance.now() - start) / 1000);
      if (span) {
        span.setAttribute('http.response.status_code', res.statusCode);
        if (!res.writableFinished || res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: code });
        span.end();
      }
    });
    if (span) {
      const headers: Record<string, string> = {};
      propagation.inject(trace.setSpan(parent, span), headers);
      spanHeaders.set(req, headers);
    }
    handle(req, res);
  };
}
