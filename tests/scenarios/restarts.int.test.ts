import { afterEach, describe, expect, it } from 'vitest';
import { GatedTransport } from '../../src/bus/testing/gated-transport';
import { describeWithRabbit } from '../../src/bus/testing/brokers';
import { SAGA_MODES, startSystem, type BusKind, type SagaMode, type System } from './system';

function restartScenarios(bus: BusKind, mode: SagaMode): void {
let sys: System | null = null;
afterEach(async () => {
  await sys?.stop();
  sys = null;
});

/**
 * Every publish is held until released; between two releases the whole system is closed and reopened
 * on the same files, dropping whatever was held (as a crash would). So a restart falls between every
 * pair of saga steps, and each step's events must come back from the outboxes.
 */
async function runWithRestartsBetweenSteps(tokens: string[], afterSettled?: (s: System, ids: string[]) => unknown) {
  let gated: GatedTransport | null = null;
  const s = (sys = await startSystem({ bus, mode, transport: (t) => (gated = new GatedTransport(t)) }));
  const ids: string[] = [];
    for (const paymentToken of tokens) ids.push((await s.create({ paymentToken })).id);
  let restarts = 0;
  const step = async () => {
    for (let i = 0; i < 50; i++) {
      gated!.dropAll();
      await s.restart();
      restarts++;
      if (gated!.heldCount === 0) return;
      await gated!.releaseAll();
    }
    throw new Error('the saga did not come to rest within 50 steps');
  };
  await step();
  if (afterSettled) {
    await afterSettled(s, ids);
    await step();
  }
  return { s, ids, restarts };
}

describe(`a restart between every pair of steps (${bus}, ${mode})`, () => {
  it('reaches the same end states, with one capture each', async () => {
    const { s, ids, restarts } = await runWithRestartsBetweenSteps(['tok_ok', 'tok_decline', 'tok_flaky', 'tok_nope']);
    expect(restarts).toBeGreaterThanOrEqual(3);
    expect(ids.map((id) => s.reservation(id).status)).toEqual(['CONFIRMED', 'CANCELLED', 'CONFIRMED', 'CANCELLED']);
    expect(s.ledgerOf(ids[0]!)).toMatchObject({ captures: 1, refunds: 0 });
    expect(s.ledgerOf(ids[2]!)).toMatchObject({ captures: 1, refunds: 0 });
    s.check();
  });

  it('a customer cancellation of a confirmed reservation is refunded exactly once across restarts', async () => {
    const { s, ids } = await runWithRestartsBetweenSteps(['tok_ok'], (sys, [id]) => sys.app.reservation.cancel({ id: id! }));
    expect(s.reservation(ids[0]!)).toMatchObject({ status: 'CANCELLED', cancellationReason: 'CUSTOMER_CANCELLED' });
    expect(s.ledgerOf(ids[0]!)).toMatchObject({ captures: 1, refunds: 1, net: 0 });
    s.check();
  });
});
}

for (const mode of SAGA_MODES) restartScenarios('memory', mode);
await describeWithRabbit('restarts on RabbitMQ', () => {
  for (const mode of SAGA_MODES) restartScenarios('rabbitmq', mode);
});
