/**
 * `npm run demo [-- --keep] [--sequences DIR]`: plays the seed's story step by step against real servers
 * it starts on temporary data: the happy path, a declined card, a flaky provider, an outage with a dead
 * letter and its replay, the deadline racing a late capture, a customer cancelling a confirmed
 * reservation, and both saga modes side by side. Each step prints what to look for, the saga's timeline
 * and the dashboard link. `--keep` leaves the servers running; `--sequences DIR` writes Mermaid
 * sequence diagrams of three of the runs.
 */
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sagaSequence } from '../src/saga/sequence';
import { startDemoServer, type DemoServer } from './demo/servers';

const { values } = parseArgs({ options: { keep: { type: 'boolean', default: false }, sequences: { type: 'string' } } });
const say = (s = '') => process.stdout.write(`${s}\n`);
let slot = 0;
const input = (paymentToken: string, over: Record<string, string> = {}) => {
  const day = slot++;
  return {
    customerId: 'demo-customer',
    resourceId: over.resourceId ?? `room-${day}`,
    startsAt: over.startsAt ?? new Date(Date.UTC(2031, 0, 1 + day, 10)).toISOString(),
    endsAt: over.endsAt ?? new Date(Date.UTC(2031, 0, 1 + day, 11)).toISOString(),
    amount: 4_200,
    currency: 'EUR',
    paymentToken,
  };
};

/** Demos may wait in real time: they show a running system (tests never do this). */
async function until<T>(what: string, probe: () => Promise<T | null>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe().catch(() => null);
    if (v !== null) return v;
    if (Date.now() > end) throw new Error(`the demo waited ${ms} ms for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const ended = (s: DemoServer, id: string) =>
  until(`saga ${id} to end`, async () => {
    const saga = await s.client.saga.get.query({ reservationId: id });
    return saga.state === 'CONFIRMED' || saga.state === 'CANCELLED' ? saga : null;
  });

async function timeline(s: DemoServer, id: string, sequenceFile?: string) {
  const saga = await s.client.saga.get.query({ reservationId: id });
  const t0 = Date.parse(saga.startedAt);
  say(`  saga ${saga.mode}: ${saga.state}`);
  for (const st of saga.steps) {
    const change = st.stateAfter && st.stateAfter !== st.stateBefore ? `  ${st.stateBefore ?? '∅'} → ${st.stateAfter}` : '';
    say(`    +${String(Date.parse(st.at) - t0).padStart(5)} ms  ${st.kind.padEnd(12)} ${st.type.padEnd(34)} attempt ${st.attempt}  ${st.outcome.slice(0, 70)}${change}`);
  }
  const p = await s.client.payment.getByReservation.query({ reservationId: id }).catch(() => null);
  if (p) say(`  payment ${p.status}: captured ${p.capturedAmount}, refunded ${p.refundedAmount}`);
  say(`  look at it: ${s.origin}/reservations/${id}`);
  if (values.sequences && sequenceFile) {
    mkdirSync(values.sequences, { recursive: true });
    writeFileSync(join(values.sequences, sequenceFile), `${sagaSequence(saga)}\n`);
  }
}

const step = (n: number, title: string, why: string) => {
  say();
  say(`${n}. ${title}`);
  say(`   ${why}`);
};

// Settings per story: short deadlines where the deadline is the point, a long one where retries are.
const fast = { PAYMENT_DEADLINE_MS: '8000', RETRY_IMMEDIATE: '0', RETRY_DELAYED: '3', RETRY_BASE_MS: '300', RETRY_MAX_MS: '600' };
const choreo = await startDemoServer('choreography', fast);
const slow = await startDemoServer('outage', { PAYMENT_DEADLINE_MS: '120000', RETRY_IMMEDIATE: '1', RETRY_DELAYED: '2', RETRY_BASE_MS: '300', RETRY_MAX_MS: '600' });
// The provider takes 3 s to answer: the 1.5 s deadline passes while the charge is on its way.
const racy = await startDemoServer('deadline', { PAYMENT_DEADLINE_MS: '1500', PROVIDER_LATENCY_MS: '3000' });
const orch = await startDemoServer('orchestration', { ...fast, SAGA_MODE: 'orchestration' });
const servers = [choreo, slow, racy, orch];
say('consistency-lab demo: four servers on temporary data');
for (const s of servers) say(`  ${s.name.padEnd(14)} ${s.origin}  (SAGA_MODE=${s.app.config.SAGA_MODE}, deadline ${s.app.config.PAYMENT_DEADLINE_MS} ms; admin token ${'demo-admin-token-0123456789'})`);

try {
  step(1, 'Happy path', 'The reservation holds its slot (PENDING), payment charges it through the outbox and the bus, the reservation is CONFIRMED.');
  const happy = await choreo.client.reservation.create.mutate(input('tok_ok'));
  await ended(choreo, happy.id);
  await timeline(choreo, happy.id, 'happy-path.mmd');

  step(2, 'A declined card', 'The provider declines: PaymentFailed, the compensation releases the slot (CANCELLED / PAYMENT_DECLINED); the same slot can be booked again.');
  const declined = await choreo.client.reservation.create.mutate(input('tok_decline', { resourceId: 'court-7' }));
  await ended(choreo, declined.id);
  await timeline(choreo, declined.id);
  const again = await choreo.client.reservation.create.mutate(input('tok_ok', { resourceId: 'court-7', startsAt: declined.startsAt, endsAt: declined.endsAt }));
  say(`  the same slot again: ${(await ended(choreo, again.id)).state}`);

  step(3, 'A flaky provider', 'The provider fails twice, then answers: the charge is retried with exponential backoff and jitter; one capture in the end (the idempotency key).');
  const flaky = await choreo.client.reservation.create.mutate(input('tok_flaky'));
  await ended(choreo, flaky.id);
  await timeline(choreo, flaky.id);

  step(4, 'An outage: retries exhausted → dead letter → the operator fixes it → replay → CONFIRMED', 'Nothing is dropped: the failing message waits in the dead-letter store with its error; replaying it after the outage converges as if it had never failed.');
  await slow.client.admin.provider.setOutage.mutate({ on: true });
  const outage = await slow.client.reservation.create.mutate(input('tok_ok'));
  const dead = await until('the charge to be dead-lettered', async () => (await slow.client.admin.deadLetters.list.query({ group: 'payment' })).items[0] ?? null);
  say(`  dead letter ${dead.id}: ${dead.type} after ${dead.attempts} attempts: ${dead.errorMessage}`);
  await slow.client.admin.provider.setOutage.mutate({ on: false });
  await slow.client.admin.deadLetters.replay.mutate({ id: dead.id });
  await ended(slow, outage.id);
  await timeline(slow, outage.id, 'outage-replay.mmd');
  say(`  dead letters: ${slow.origin}/dead-letters`);

  step(5, 'The deadline racing a late capture', 'The provider is slow (3 s) and the payment deadline short (1.5 s): the reservation is CANCELLED (PAYMENT_TIMEOUT) while the charge is on its way; it captures anyway, and the compensation refunds it: net zero.');
  const race = await racy.client.reservation.create.mutate(input('tok_ok'));
  await until('the deadline', async () => ((await racy.client.reservation.get.query({ id: race.id })).status === 'CANCELLED' ? true : null));
  say('  CANCELLED at its deadline; the charge is still with the provider…');
  await until('the late capture to be refunded', async () => {
    const p = await racy.client.payment.getByReservation.query({ reservationId: race.id });
    return p.capturedAmount > 0 && p.refundedAmount === p.capturedAmount ? p : null;
  });
  await ended(racy, race.id);
  await timeline(racy, race.id, 'late-capture-race.mmd');

  step(6, 'A customer cancels a confirmed reservation', 'The cancellation releases the slot and the charge is compensated: refunded exactly once, even when asked twice.');
  const kept = await choreo.client.reservation.create.mutate(input('tok_ok'));
  await ended(choreo, kept.id);
  await choreo.client.reservation.cancel.mutate({ id: kept.id, reason: 'plans changed' });
  await choreo.client.reservation.cancel.mutate({ id: kept.id, reason: 'asked again' });
  await until('the refund', async () => ((await choreo.client.payment.getByReservation.query({ reservationId: kept.id })).refundedAmount > 0 ? true : null));
  await ended(choreo, kept.id);
  await timeline(choreo, kept.id);

  step(7, 'Both saga modes side by side', 'The same definition runs both: in choreography the modules react to each other’s events and an observer keeps the log; in orchestration a process manager sends commands. Same end states.');
  for (const s of [choreo, orch]) {
    say(`  --- ${s.app.config.SAGA_MODE}`);
    const r = await s.client.reservation.create.mutate(input('tok_ok'));
    await ended(s, r.id);
    await timeline(s, r.id, `happy-path-${s.app.config.SAGA_MODE}.mmd`);
  }
  say();
  say('every saga ended; the invariants hold:');
  for (const s of servers) {
    const report = await s.client.admin.audit.run.mutate();
    say(`  ${s.name.padEnd(14)} audit: ${report.reservations} reservations, ${report.violations.length} violations`);
  }
} finally {
  if (values.keep) {
    say();
    say('servers kept running (Ctrl-C to stop): ' + servers.map((s) => s.origin).join('  '));
    process.on('SIGINT', () => void Promise.all(servers.map((s) => s.stop())).then(() => process.exit(0)));
  } else {
    await Promise.all(servers.map((s) => s.stop()));
  }
}
