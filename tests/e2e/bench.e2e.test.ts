import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
const tsx = resolve(root, 'node_modules/.bin/tsx');

/**
 * `npm run bench` is a script, not a test, but a user must be able to run it: this runs a tiny bench end
 * to end and checks the report's shape. The figures themselves are not asserted (speed belongs to the bench).
 */
describe('npm run bench', () => {
  it('prints every figure of a small run as JSON, and checks the targets', async () => {
    const args = ['scripts/bench.ts', '--json', '--n', '300', '--http-seconds', '1', '--latency-seconds', '1', '--latency-rounds', '2', '--skip-rabbitmq'];
    const { stdout } = await run(tsx, args, { cwd: root, timeout: 120_000 });
    const report = JSON.parse(stdout) as Record<string, Record<string, unknown>>;
    const positive = expect.any(Number) as unknown;
    expect(report.ceiling).toMatchObject({ commitsPerSec: positive, withBackgroundCheckpointsPerSec: positive });
    expect(report.throughput).toMatchObject({ n: 300, sagasPerSec: positive, ratioToCeiling: positive });
    expect(report.latency).toMatchObject({ count: expect.any(Number), p50Ms: positive, p99Ms: positive, maxMs: positive });
    expect(report.latency?.rounds).toHaveLength(2);
    const share = expect.any(Number) as unknown;
    const pauses = { count: expect.any(Number) as unknown, p90Ms: expect.any(Number) as unknown, maxMs: expect.any(Number) as unknown };
    for (const round of report.latency?.rounds as unknown[]) expect(round).toMatchObject({ gc: { minor: pauses, major: pauses, slowestWithPause: share, allWithPause: share } });
    // CI runs on Linux, where /proc gives CPU per thread.
    expect(report.throughput?.cpu).toMatchObject({ coresUsed: positive, usPerSaga: positive, mainUsPerSaga: positive, busiestOtherUsPerSaga: expect.any(Number), restUsPerSaga: expect.any(Number) });
    // And /proc/self/io, what a saga hands to write calls, at full load and in each latency round.
    const disk = { kbPerSaga: positive, callsPerSaga: positive };
    expect(report.throughput?.disk).toMatchObject(disk);
    expect(report.latency?.disk).toMatchObject(disk);
    expect(report.latencyAt1000?.disk).toMatchObject(disk);
    for (const round of report.latency?.rounds as unknown[]) expect(round).toMatchObject({ disk });
    expect(report.diskStalls).toMatchObject({ commitsPerSec: positive, seconds: 1 });
    expect(report.diskStalls?.rounds).toHaveLength(2);
    expect(report.http).toMatchObject({ trpcRps: positive, bareRps: positive, ratio: positive, trpcRpsWith100Connections: positive });
    expect(report.latencyAt1000).toMatchObject({ ratePerSec: 1000, p50Ms: positive, p99Ms: positive });
    expect(report.scale).toMatchObject({ n: 300, window: 30, lastOverFirst: positive, peakRssMb: positive });
    expect(report.scale?.windows).toHaveLength(10);
    // Every statement of the saga timed on one thread: the floor under its CPU, and the rate that bounds.
    expect(report.sqlite).toMatchObject({ sagas: 300, statementsPerSaga: positive, commitsPerSaga: positive, usPerSaga: positive, boundSagasPerSec: positive, sagasPerSecWhileTimed: positive });
    expect((report.sqlite?.top as Array<{ sql: string }>).map((s) => s.sql)).toContain('COMMIT');
    expect(Object.keys(report.scale?.bytesPerSaga as object).sort()).toEqual(['audit.db', 'bus.db', 'payment.db', 'provider.db', 'read-model.db', 'reservation.db', 'saga.db']);
    expect(report.modes).toMatchObject({ choreography: { available: true }, orchestration: { available: true, sagasPerSec: expect.any(Number) }, rabbitmq: { available: false, note: 'skipped (--skip-rabbitmq)' } });
    expect(report.targets).toHaveLength(9);
    expect(report.observability).toMatchObject({ n: 300, plainSagasPerSec: positive, metricsSagasPerSec: positive, tracingSagasPerSec: positive, metricsRatio: positive, tracingRatio: positive, spansPerSaga: positive });
    expect(report.readModel).toMatchObject({
      projectionLagDuringThroughput: { samples: expect.any(Number), p99Events: expect.any(Number), p99Ms: expect.any(Number), catchUpMs: expect.any(Number) },
      overviewQueriesPerSec: positive,
      cost: { n: 300, onSagasPerSec: positive, offSagasPerSec: positive, ratio: positive },
    });
    for (const figure of [report.throughput?.sagasPerSec, report.latency?.p99Ms, report.http?.ratio]) expect(figure).toBeGreaterThan(0);
  }, 180_000);

  it('refuses an option that is not a whole number of at least 1, naming it', async () => {
    const failed = await run(tsx, ['scripts/bench.ts', '--latency-rounds', '0'], { cwd: root }).catch((e: { code: number; stderr: string }) => e);
    expect(failed).toMatchObject({ code: 2 });
    expect((failed as { stderr: string }).stderr).toContain('--latency-rounds');
  });
});
