import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Observability } from '../platform/observability';
import { readiness } from '../platform/readiness';

const digest = (s: string) => createHash('sha256').update(s).digest();
const bearerMatches = (authorization: string | undefined, token: string) =>
  authorization !== undefined && timingSafeEqual(digest(authorization), digest(`Bearer ${token}`));

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers }).end(JSON.stringify(body));

/**
 * The paths beside the API, for an orchestrator and a scraper:
 * - `GET /healthz`: the process is alive (its event loop answers). A liveness probe.
 * - `GET /readyz`: 200 when every readiness check passes, else 503 naming what is wrong (a closed
 *   database, the broker away, a stopped relay). A readiness probe: take the instance out of rotation.
 * - `GET /metrics`: Prometheus text format; with a metrics token, only for `Authorization: Bearer <token>`.
 * Returns false for any other path.
 */
export function operationalEndpoints(observability: Observability | undefined, metricsToken: string | undefined) {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    if (path !== '/healthz' && path !== '/readyz' && path !== '/metrics') return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      json(res, 405, { error: `${path} answers GET only` }, { allow: 'GET, HEAD' });
      return true;
    }
    if (path === '/healthz') {
      json(res, 200, { status: 'alive' });
    } else if (path === '/readyz') {
      const r = readiness(observability?.readiness ?? []);
      json(res, r.ready ? 200 : 503, { status: r.ready ? 'ready' : 'not ready', checks: r.checks });
    } else if (!observability?.metrics) {
      json(res, 404, { error: 'metrics are off in this process (METRICS=off)' });
    } else if (metricsToken !== undefined && !bearerMatches(req.headers.authorization, metricsToken)) {
      json(res, 401, { error: '/metrics needs the header "Authorization: Bearer <METRICS_TOKEN>"' }, { 'www-authenticate': 'Bearer' });
    } else {
      const metrics = observability.metrics;
      metrics.scrape().then(
        (text) => res.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' }).end(text),
        (error: unknown) => json(res, 500, { error: `could not collect metrics: ${error instanceof Error ? error.message : String(error)}` }),
      );
    }
    return true;
  };
}
