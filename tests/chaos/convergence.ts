import { setTimeout as sleep } from 'node:timers/promises';
import type { AdminApi } from './admin-api';

const POLL_MS = 250;

/**
 * Polls the API until nothing is unfinished: no PENDING reservation, no saga outside a terminal state,
 * no open dead letter. Dead letters are replayed as they turn up, as an operator would once the cause
 * is fixed (invariant 4: a replay converges to the end state the message would have had).
 */
export async function waitForConvergence(admin: AdminApi, timeoutMs: number, say: (line: string) => void): Promise<{ ok: boolean; last: string; replayed: string[] }> {
  const until = Date.now() + timeoutMs;
  const replayed: string[] = [];
  let last = 'not polled yet';
  while (Date.now() < until) {
    const p = await admin.progress();
    last = `${p.pending ? 'PENDING reservations left' : 'no PENDING reservation'}, sagas unfinished in: ${p.unfinishedSagas.join(', ') || 'none'}, open dead letters: ${p.openDeadLetters}`;
    if (!p.pending && p.unfinishedSagas.length === 0 && p.openDeadLetters === 0) return { ok: true, last, replayed };
    if (p.openDeadLetters > 0) {
      const done = await admin.replayOpenDeadLetters();
      for (const d of done) say(`replayed dead letter: ${d}`);
      replayed.push(...done);
    }
    await sleep(POLL_MS);
  }
  return { ok: false, last, replayed };
}
