import { createTRPCClient, httpLink } from '@trpc/client';
import type { AppRouter } from '../api/router';

export const DEFAULT_TRPC_URL = 'http://127.0.0.1:3000/trpc';

/** The typed tRPC client the command line talks through; admin calls carry `Authorization: Bearer <token>`. */
export const createAdminClient = (url: string, adminToken: string | undefined) =>
  createTRPCClient<AppRouter>({ links: [httpLink({ url, headers: adminToken ? { authorization: `Bearer ${adminToken}` } : {} })] });

export type AdminClient = ReturnType<typeof createAdminClient>;

type Admin = AdminClient['admin'];
/** What the admin API answers, as it arrives over the wire (inferred from the procedures' zod-typed results). */
export type Group = Awaited<ReturnType<Admin['deadLetters']['groups']['query']>>[number];
export type DeadLetterPage = Awaited<ReturnType<Admin['deadLetters']['list']['query']>>;
export type DeadLetter = Awaited<ReturnType<Admin['deadLetters']['get']['query']>>;
export type Operation = Awaited<ReturnType<Admin['operations']['get']['query']>>;
