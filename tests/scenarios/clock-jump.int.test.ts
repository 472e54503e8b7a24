import { afterEach, describe, expect, it } from 'vitest';
import { DEADLINE_RECHECK_MS } from '../../src/platform/deadline-scheduler';
import { DEADLINE_MS, SAGA_MODES, startSystem, type System } from './system';

let sys: System | null = null;
afterEach(async () => {
  await sys?.stop();
  sys = null;
});

describe.each(SAGA_MODES)('the system clock jumping (%s): deadlines stay wall-clock instants', (mode) => {
  it('forward past a deadline: the reservation times out within the recheck interval, not a whole deadline later', async () => {
    const s = (sys = await startSystem({ mode }));
    s.app.payment.setProviderOutage(true);
    const r = await s.create({ paymentToken: 'tok_outage' });
    await s.settle();
    s.clock.jump(DEADLINE_MS + 60_000); // the timers keep their remaining (monotonic) delays
    await s.advance(DEADLINE_RECHECK_MS);
    expect(s.reservation(r.id)).toMatchObject({ status: 'CANCELLED', cancellationReason: 'PAYMENT_TIMEOUT' });
  });

  it('backward: no deadline fires early', async () => {
    const s = (sys = await startSystem({ mode }));
    s.app.payment.setProviderOutage(true);
    const r = await s.create({ paymentToken: 'tok_outage' });
    await s.settle();
    s.clock.jump(-3_600_000);
    await s.advance(DEADLINE_MS + 60_000); // past the deadline in elapsed time, an hour before it on the wall
    expect(s.reservation(r.id).status).toBe('PENDING');
    await s.advance(3_600_000);
    expect(s.reservation(r.id)).toMatchObject({ status: 'CANCELLED', cancellationReason: 'PAYMENT_TIMEOUT' });
  });
});
