import type { IncomingMessage, ServerResponse } from 'node:http';
import { callTRPCProcedure, getTRPCErrorFromUnknown, getTRPCErrorShape, TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import type { AppRouter } from './router';
import type { Context } from './trpc';

type ProcedureType = 'query' | 'mutation' | 'subscription';

export interface FastPathOptions {
  basePath: string;
  maxBodyBytes: number;
  createContext: (req: IncomingMessage) => Context;
  onError: (error: TRPCError, path: string) => void;
}

const send = (res: ServerResponse, status: number, body: unknown) => {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) }).end(json);
};

/**
 * A lean path for the most common request: one procedure, not batched (what `httpLink`, curl and load
 * tools send). It runs the same procedures through tRPC's own `callProcedure` (middleware, zod input,
 * error formatter, status codes), but without building Fetch-API Request/Response objects and web streams
 * per call, which cost more than the work of a reservation on this machine. Anything else (batches,
 * subscriptions, unknown paths, other methods) returns false and goes to the official adapter.
 */
export function createFastPath(router: AppRouter, o: FastPathOptions) {
  // Flat at run time: dotted path → procedure.
  const procedures = router._def.procedures as unknown as Record<string, { _def: { type: ProcedureType } } | undefined>;

  const respond = (req: IncomingMessage, res: ServerResponse, path: string, type: ProcedureType, readInput: () => unknown) => {
    let input: unknown;
    let ctx: Context | undefined;
    const fail = (cause: unknown) => {
      const error = getTRPCErrorFromUnknown(cause);
      o.onError(error, path);
      const shape = getTRPCErrorShape({ config: router._def._config, error, type, path, input, ctx });
      send(res, getHTTPStatusCodeFromError(error), { error: shape });
    };
    try {
      input = readInput();
      ctx = o.createContext(req);
    } catch (cause) {
      return fail(cause);
    }
    callTRPCProcedure({ router, path, getRawInput: async () => input, ctx, type, signal: undefined, batchIndex: 0 })
      .then((data: unknown) => send(res, 200, { result: { data } }))
      .catch((cause: unknown) => {
        try {
          if (res.headersSent) res.destroy();
          else fail(cause);
        } catch {
          res.destroy(); // never let a failed answer become an unhandled rejection
        }
      });
  };

  const parse = (text: string | null): unknown => {
    if (text === null || text === '') return undefined;
    try {
      return JSON.parse(text);
    } catch (cause) {
      throw new TRPCError({ code: 'PARSE_ERROR', message: 'the request body (or input parameter) is not valid JSON', cause });
    }
  };

  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = req.url ?? '';
    if (!url.startsWith(o.basePath)) return false;
    const q = url.indexOf('?');
    const query = q === -1 ? null : new URLSearchParams(url.slice(q + 1));
    if (query?.has('batch')) return false;
    let path: string;
    try {
      path = decodeURIComponent(url.slice(o.basePath.length, q === -1 ? undefined : q));
    } catch {
      return false; // a malformed path: let the adapter answer it
    }
    const type = procedures[path]?._def.type;
    if (type === 'query' && req.method === 'GET') {
      respond(req, res, path, type, () => parse(query?.get('input') ?? null));
      return true;
    }
    if (type !== 'mutation' || req.method !== 'POST') return false;
    const contentType = req.headers['content-type'];
    if (contentType !== undefined && !contentType.startsWith('application/json')) return false; // the adapter explains what is accepted
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > o.maxBodyBytes) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('error', () => res.destroy()); // the client went away mid-body: nothing to answer
    req.on('end', () =>
      respond(req, res, path, type, () => {
        if (tooLarge) throw new TRPCError({ code: 'PAYLOAD_TOO_LARGE', message: `request bodies are limited to ${o.maxBodyBytes} bytes` });
        return parse(Buffer.concat(chunks).toString('utf8'));
      }),
    );
    return true;
  };
}
