import { expect, it } from 'vitest';
import { describeWithRabbit, RABBITMQ_URL } from '../../src/bus/testing/brokers';
import { formatReport } from '../chaos/chaos-report';
import { runChaos } from '../chaos/run-chaos';
import { FAULT_KINDS } from '../chaos/schedule';

// Restarts the broker (rabbitmqctl stop_app/start_app), so it runs in npm test's second, sequential pass.
// The short version of `npm run chaos`: 45 s of load and faults, every kind at least once.
await describeWithRabbit('chaos on the real broker: split mode under kills, broker restarts, network cuts and outages', () => {
  it('heals and converges: every saga terminal, every invariant holds, no process crashed', async () => {
    const log: string[] = [];
    const report = await runChaos({ minutes: 0.75, seed: 3, rate: 15, rabbitmqUrl: RABBITMQ_URL }, (line) => log.push(line));
    const explain = [...log, ...formatReport(report)].join('\n');
    expect(report.final.violations, explain).toEqual([]);
    expect(report.findings, explain).toEqual([]);
    for (const kind of FAULT_KINDS) expect(report.faults[kind], `${kind} never happened:\n${explain}`).toBeGreaterThan(0);
    expect(report.final.sagas.total).toBe(report.load.acknowledged);
    expect(report.final.sagas.confirmed).toBeGreaterThan(0);
    expect(report.convergeMs, explain).not.toBeNull();
    expect(report.ok).toBe(true);
  }, 300_000);
});
