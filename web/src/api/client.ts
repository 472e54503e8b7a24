import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink, TRPCClientError } from '@trpc/client';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
// Type-only: the browser bundle holds nothing of the server, only the procedures' types.
import type { AppRouter } from '../../../src/api/router';
import { adminToken } from './token';

export type Inputs = inferRouterInputs<AppRouter>;
export type Outputs = inferRouterOutputs<AppRouter>;

const url = `${location.origin}/trpc`;

/**
 * The typed client, as in examples/client.ts. Queries and mutations are batched (calls made together
 * share one request); subscriptions go over Server-Sent Events. EventSource cannot send headers, and the
 * admin token never goes into a URL, so only public procedures are subscribed to.
 */
export const trpc = createTRPCClient<AppRouter>({
  links: [
    splitLink({
      condition: (op) => op.type === 'subscription',
      true: httpSubscriptionLink({ url }),
      false: httpBatchLink({
        url,
        maxURLLength: 4_000,
        headers: ({ opList }) => {
          const token = adminToken.get();
          return token && opList.some((op) => op.path.startsWith('admin.')) ? { authorization: `Bearer ${token}` } : {};
        },
      }),
    }),
  ],
});

/** The tRPC error code of a failed call (UNAUTHORIZED, NOT_FOUND, ...), or null for other errors. */
export const errorCode = (e: unknown): string | null =>
  e instanceof TRPCClientError && typeof (e.data as { code?: unknown } | undefined)?.code === 'string' ? (e.data as { code: string }).code : null;

export const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));
