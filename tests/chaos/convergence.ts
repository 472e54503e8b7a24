import { setTimeout as sleep } from 'node:timers/promises';
import type { AdminApi } from './admin-api';
import type { BrokerControl } from './broker-control';

const POLL_MS = 250;
/** Polls in a row that must find everything finished and the bus quiet. */
const QUIET_POLLS = 2;

/**
 * Polls until nothing is unfinished: no PENDING reservation, no saga outside a terminal state, no open
 * dead letter, and nothing still on its way: no outbox row unpublished in either process and no message
 * in the run's queues, delay queues included. Without the last two, a charge waiting out its delayed
 * retry after an outage could capture after the poll (the reservation had already timed out) and its
 * refund would still be under way when the processes stop. Dead letters are replayed as they turn up,
 * as an operator would once the cause is fixed (invariant 4: a replay converges to the end state the
 * message would have had).
 */
export async function waitForConvergence(
  admin: AdminApi,
  broker: BrokerControl,
  queuePrefix: string,
  timeoutMs: number,
  say: (line: string) => void,
): Promise<{ ok: boolean; last: string; replayed: string[] }> {
  const until = Date.now() + timeoutMs;
  const replayed: string[] = [];
  let last = 'not polled yet';
  let quietPolls = 0;
  while (Date.now() < until) {
    const p = await admin.progress();
    const outbox = (await admin.outboxPending('reservation')) + (await admin.outboxPending('payment'));
    const queues = await broker.busyQueues(queuePrefix);
    last = [
      p.pending ? 'PENDING reservations left' : 'no PENDING reservation',
      `sagas unfinished in: ${p.unfinishedSagas.join(', ') || 'none'}`,
      `open dead letters: ${p.openDeadLetters}`,
      `unpublished outbox rows: ${outbox}`,
      `messages in queues: ${queues.join(', ') || 'none'}`,
    ].join(', ');
    const finished = !p.pending && p.unfinishedSagas.length === 0 && p.openDeadLetters === 0 && outbox === 0 && queues.length === 0;
    quietPolls = finished ? quietPolls + 1 : 0;
    if (quietPolls >= QUIET_POLLS) return { ok: true, last, replayed };
    if (p.openDeadLetters > 0) {
      const done = await admin.replayOpenDeadLetters();
      for (const d of done) say(`replayed dead letter: ${d}`);
      replayed.push(...done);
    }
    await sleep(POLL_MS);
  }
  return { ok: false, last, replayed };
}
