import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import type { Logger } from '../platform/logger';
import type { Observability } from '../platform/observability';
import { createFastPath } from './fast-path';
import { operationalEndpoints } from './operational-endpoints';
import { requestTelemetry, traceHeadersOf, type Handle } from './request-telemetry';
import type { AppRouter } from './router';
import { createStaticFiles } from './static-files';
import type { Context } from './trpc';

export interface HttpOptions {
  host: string;
  port: number;
  maxBodyBytes: number;
  adminToken: string;
  /** A request (headers and body) must arrive within this long, or the connection is closed with 408. */
  requestTimeoutMs?: number;
  /** The headers must arrive within this long. */
  headersTimeoutMs?: number;
  /** What /metrics and /readyz serve, and whether requests get metrics and spans (docs/observability.md); without it /readyz has no checks and /metrics is off. */
  observability?: Observability;
  /** When set, /metrics answers only `Authorization: Bearer <metricsToken>`. */
  metricsToken?: string;
}

export interface HttpServer {
  url: string;
  close(): Promise<void>;
}

const BASE_PATH = '/trpc/';

function notUnderBasePath(url: string, res: ServerResponse): void {
  const message = `no such path "${url.split('?')[0]}": the API is under ${BASE_PATH}, e.g. POST ${BASE_PATH}reservation.create or GET ${BASE_PATH}reservation.get?input=...`;
  res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message, code: -32004, data: { code: 'NOT_FOUND', httpStatus: 404 } } }));
}

/**
 * tRPC over HTTP at `/trpc`: single, unbatched calls take the lean path (see fast-path.ts), everything
 * else the official standalone adapter. Bodies above `maxBodyBytes` are refused (413) either way.
 */
export async function startHttpServer(appRouter: AppRouter, o: HttpOptions, log: Logger): Promise<HttpServer> {
  const createContext = (req: IncomingMessage): Context => {
    const traceHeaders = traceHeadersOf(req);
    return { authorization: req.headers.authorization ?? null, adminToken: o.adminToken, ...(traceHeaders ? { traceHeaders } : {}) };
  };
  const onError = (error: { code: string; cause?: Error | undefined; message: string }, path: string | undefined) => {
    if (error.code === 'INTERNAL_SERVER_ERROR') log.error({ path, err: { name: error.cause?.name, message: error.cause?.message ?? error.message } }, 'request failed');
  };
  const official = createHTTPHandler({
    router: appRouter,
    basePath: BASE_PATH,
    maxBodySize: o.maxBodyBytes,
    createContext: ({ req }) => createContext(req),
    onError: ({ error, path }) => onError(error, path),
  });
  const fast = createFastPath(appRouter, { basePath: BASE_PATH, maxBodyBytes: o.maxBodyBytes, createContext, onError });
  const handle: Handle = (req, res) => {
    if (!fast(req, res)) void official(req, res);
  };
  const endpoints = operationalEndpoints(o.observability, o.metricsToken);
  const observed = requestTelemetry(Object.keys(appRouter._def.procedures), BASE_PATH, o.observability?.metrics ?? null, !!o.observability?.tracing);
  const requestTimeout = o.requestTimeoutMs ?? 30_000;
  const headersTimeout = Math.min(o.headersTimeoutMs ?? 10_000, requestTimeout);
  // A client that never finishes its request is bounded by these (Node checks them every interval).
  const limits = { requestTimeout, headersTimeout, connectionsCheckingInterval: Math.min(1_000, headersTimeout) };
  const serveDashboard = createStaticFiles();
  const server = createServer(limits, (req, res) => {
    if (serveDashboard(req, res)) return; // GET/HEAD of the dashboard's pages and assets only (static-files.ts)
    // tRPC's adapter cuts the base path off any URL without checking it ("/reservation.create" would be
    // looked up as "rvation.create"): outside /trpc/, say where the API is instead.
    if (!req.url?.startsWith(BASE_PATH)) {
      if (!endpoints(req, res)) notUnderBasePath(req.url ?? '', res);
      return;
    }
    if (observed) observed(req, res, handle);
    else handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = o.host.includes(':') ? `[${o.host}]` : o.host;
  return {
    url: `http://${host}:${port}/trpc`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
