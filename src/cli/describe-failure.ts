import { TRPCClientError } from '@trpc/client';

/** One line that says what went wrong: the server's own message, a refused token, or a server that is not there. */
export function describeFailure(e: unknown, io: { url: string; tokenSet: boolean }): string {
  if (e instanceof TRPCClientError) {
    const code = (e.data as { code?: string } | undefined)?.code;
    if (code === 'UNAUTHORIZED') {
      return `the server at ${io.url} refused the admin token${io.tokenSet ? '' : ' (ADMIN_TOKEN is not set)'}; set ADMIN_TOKEN to the token npm start printed`;
    }
    if (code) return `${code}: ${e.message}`;
    const network = causeCode(e);
    if (network || /fetch failed/i.test(e.message)) return `cannot reach the server at ${io.url} (${network ?? e.message}); is it running? start it with npm start, or point TRPC_URL at it`;
  }
  return e instanceof Error ? e.message : String(e);
}

/** The system error code (ECONNREFUSED, ENOTFOUND …) somewhere down the chain of causes, if any. */
function causeCode(e: unknown): string | null {
  for (let c: unknown = e, depth = 0; c instanceof Error && depth < 5; c = c.cause, depth++) {
    const code = (c as Error & { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
  }
  return null;
}
