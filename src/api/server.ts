import type { AddressInfo } from 'node:net';
import { createHTTPServer } from '@trpc/server/adapters/standalone';
import type { Logger } from '../platform/logger';
import type { AppRouter } from './router';
import type { Context } from './trpc';

export interface HttpOptions {
  host: string;
  port: number;
  maxBodyBytes: number;
  adminToken: string;
}

export interface HttpServer {
  url: string;
  close(): Promise<void>;
}

/** tRPC over HTTP at `/trpc`. Bodies above `maxBodyBytes` are refused (413) before they are parsed. */
export async function startHttpServer(appRouter: AppRouter, o: HttpOptions, log: Logger): Promise<HttpServer> {
  const server = createHTTPServer({
    router: appRouter,
    basePath: '/trpc/',
    maxBodySize: o.maxBodyBytes,
    createContext: ({ req }): Context => ({ authorization: req.headers.authorization ?? null, adminToken: o.adminToken }),
    onError: ({ error, path }) => {
      if (error.code === 'INTERNAL_SERVER_ERROR') log.error({ path, err: { name: error.cause?.name, message: error.cause?.message ?? error.message } }, 'request failed');
    },
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
