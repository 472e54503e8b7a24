import { timingSafeEqual, createHash } from 'node:crypto';
import { initTRPC, tracked, TRPCError, type TrackedEnvelope } from '@trpc/server';
import { z, ZodError } from 'zod';
import { CategorizedError, type ErrorCategory } from '../platform/errors';

export interface Context {
  /** The request's Authorization header, if any. */
  authorization: string | null;
  adminToken: string;
  /** With tracing on, the request span's W3C trace context (`traceparent`, `tracestate`). */
  traceHeaders?: Record<string, string>;
}

const describeZod = (e: ZodError): string =>
  `Invalid input: ${e.issues.map((i) => `${i.path.length ? i.path.join('.') : '(input)'}: ${i.message}`).join('; ')}`;

/** The only initTRPC: zod errors become BAD_REQUEST naming each field; no stack traces leave the server. */
const t = initTRPC.context<Context>().create({
  isDev: false,
  errorFormatter({ shape, error }) {
    const zod = error.cause instanceof ZodError ? error.cause : null;
    return {
      ...shape,
      message: zod ? describeZod(zod) : shape.message,
      data: { code: shape.data.code, httpStatus: shape.data.httpStatus, path: shape.data.path, fieldErrors: zod ? z.flattenError(zod).fieldErrors : null },
    };
  },
});

const CODES: Record<ErrorCategory, TRPCError['code']> = {
  'not-found': 'NOT_FOUND',
  conflict: 'CONFLICT',
  invalid: 'BAD_REQUEST',
  elsewhere: 'PRECONDITION_FAILED',
  unavailable: 'SERVICE_UNAVAILABLE',
};

/** Domain and application errors map to TRPCError codes here, and only here. */
const mapErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) {
    const cause = result.error.cause;
    if (cause instanceof CategorizedError) throw new TRPCError({ code: CODES[cause.category], message: cause.message, cause });
    if (cause instanceof ZodError) throw new TRPCError({ code: 'BAD_REQUEST', message: describeZod(cause), cause });
  }
  return result;
});

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Constant-time comparison of the bearer token (hashing first makes the lengths equal). */
export const isAdmin = (authorization: string | null, adminToken: string): boolean =>
  authorization !== null && timingSafeEqual(digest(authorization), digest(`Bearer ${adminToken}`));

export const router = t.router;
export const publicProcedure = t.procedure.use(mapErrors);
export const adminProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!isAdmin(ctx.authorization, ctx.adminToken)) {
    throw new TRPCError({ code: 'UNAUTHORIZED', message: 'admin procedures need the header "Authorization: Bearer <ADMIN_TOKEN>"' });
  }
  return next();
});

/** For router tests and in-process callers: `createCallerFactory(appRouter)(ctx)`. */
export const createCallerFactory = t.createCallerFactory;

/**
 * A subscription's events with SSE ids (tRPC's `tracked`), so a client that reconnects sends the last
 * id it saw back as `input.lastEventId`. The source is made by the caller before this is returned, so
 * its checks (NOT_FOUND, BAD_REQUEST) fail the request through the error mapping above.
 */
export async function* trackedBy<T>(source: AsyncIterable<T>, id: (item: T) => string): AsyncGenerator<TrackedEnvelope<T>, void, undefined> {
  for await (const item of source) yield tracked(id(item), item);
}

