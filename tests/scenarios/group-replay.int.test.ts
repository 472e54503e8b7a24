import { afterEach, describe, expect, it } from 'vitest';
import { ReplayGate } from '../../src/bus/testing/replay-gate';
import { PAST_RETRIES_MS, startSystem, type System, type SystemOptions } from './system';

let sys: System | null = null;
afterEach(async () => {
  await sys?.stop();
  sys = null;
});

/** A system whose replays can be held at the door; `gate()` is the current boot's gate. */
async function start(o: SystemOptions = {}) {
  let gate: ReplayGate | null = null;
  const s = (sys = await startSystem({ ...o, transport: (t) => (gate = new ReplayGate(t)) }));
  return { s, gate: () => gate! };
}

/** Creates `count` reservations during a provider outage and lets every retry run out. */
async function outage(s: System, count: number) {
  s.app.payment.setProviderOutage(true);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await s.create()).id);
  await s.advance(PAST_RETRIES_MS);
  s.app.payment.setProviderOutage(false);
  return ids;
}

const statuses = (s: System, ids: string[]) => ids.map((id) => s.reservation(id).status);

describe('dead-letter groups and group replay', () => {
  it('outage → several reservations dead-lettered into ONE group → provider back → replayGroup → every one CONFIRMED', async () => {
    const { s } = await start();
    const ids = await outage(s, 4);
    expect(statuses(s, ids)).toEqual(['PENDING', 'PENDING', 'PENDING', 'PENDING']);
    const groups = s.app.deadLetters.groups();
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({ count: 4, group: 'payment', type: 'reservation.ReservationCreated', errorType: 'ProviderUnavailableError' });
    expect(groups[0]!.sampleMessage).toMatch(/outage switch/);
    expect(groups[0]!.frames[0]).toMatch(/^SimulatedProvider\.\w+ src\/modules\/payment\/infrastructure\/simulated-provider\.ts$/);

    const { operationId } = s.app.groupReplays.replayGroup(groups[0]!.fingerprint);
    await s.settle();
    expect(s.app.groupReplays.get(operationId)).toMatchObject({ status: 'completed', total: 4, done: 4, failed: 0, failures: [], newFailuresDuringReplay: 0 });
    expect(statuses(s, ids)).toEqual(['CONFIRMED', 'CONFIRMED', 'CONFIRMED', 'CONFIRMED']);
    expect(s.app.deadLetters.groups()).toEqual([]);
    s.check();
  });

  it('a restart in the middle of a group replay resumes it with what is left', async () => {
    const { s, gate } = await start();
    const ids = await outage(s, 5);
    const [group] = s.app.deadLetters.groups();
    const held = gate().holdRedelivery(2);
    const { operationId } = s.app.groupReplays.replayGroup(group!.fingerprint);
    await held.entered;

    const first = gate();
    const restarting = s.restart(); // stopping lets the replay in flight finish, then the app closes
    held.release();
    await restarting;
    expect(first.redeliveries).toBe(3);

    await s.settle();
    expect(gate().redeliveries).toBe(2); // only the two that were left
    expect(s.app.groupReplays.get(operationId)).toMatchObject({ status: 'completed', total: 5, done: 5, failed: 0 });
    expect(statuses(s, ids).every((st) => st === 'CONFIRMED')).toBe(true);
    s.check();
  });

  it('cancel stops a group replay: what was replayed stays replayed, the rest stays open for another one', async () => {
    const { s, gate } = await start();
    const ids = await outage(s, 4);
    const [group] = s.app.deadLetters.groups();
    const held = gate().holdRedelivery(1);
    const { operationId } = s.app.groupReplays.replayGroup(group!.fingerprint);
    await held.entered;

    expect(s.app.groupReplays.cancel(operationId)).toMatchObject({ status: 'cancelled', done: 1 });
    held.release();
    await s.settle();
    const cancelled = s.app.groupReplays.get(operationId);
    expect(cancelled).toMatchObject({ status: 'cancelled', total: 4, done: 2, endedAt: expect.any(String) });
    expect(statuses(s, ids)).toEqual(['CONFIRMED', 'CONFIRMED', 'PENDING', 'PENDING']);
    expect(s.app.deadLetters.groups()).toMatchObject([{ fingerprint: group!.fingerprint, count: 2 }]);

    const again = s.app.groupReplays.replayGroup(group!.fingerprint);
    await s.settle();
    expect(s.app.groupReplays.get(again.operationId)).toMatchObject({ status: 'completed', total: 2, done: 2 });
    expect(statuses(s, ids).every((st) => st === 'CONFIRMED')).toBe(true);
    s.check();
  });

  it('counts the dead letters that join the group while its replay runs', async () => {
    // No delayed rounds: a charge failing during the outage is dead-lettered within its first delivery.
    const { s, gate } = await start({ env: { RETRY_DELAYED: '0' } });
    const ids = await outage(s, 3);
    const [group] = s.app.deadLetters.groups();
    expect(group).toMatchObject({ count: 3 });
    const held = gate().holdRedelivery(1);
    const { operationId } = s.app.groupReplays.replayGroup(group!.fingerprint);
    await held.entered;

    // The cause comes back while the replay is paused between two items: one more reservation fails the same way.
    s.app.payment.setProviderOutage(true);
    const failedAgain = gate().settledPublish('reservation.ReservationCreated');
    const late = await s.create();
    await failedAgain;
    s.app.payment.setProviderOutage(false);
    held.release();
    await s.settle();

    expect(s.app.groupReplays.get(operationId)).toMatchObject({ status: 'completed', total: 3, done: 3, failed: 0, newFailuresDuringReplay: 1 });
    expect(s.app.deadLetters.groups()).toMatchObject([{ fingerprint: group!.fingerprint, count: 1, sampleId: expect.any(String) }]);
    expect(statuses(s, [...ids, late.id])).toEqual(['CONFIRMED', 'CONFIRMED', 'CONFIRMED', 'PENDING']);

    s.app.groupReplays.replayGroup(group!.fingerprint);
    await s.settle();
    expect(s.reservation(late.id).status).toBe('CONFIRMED');
    s.check();
  });
});
