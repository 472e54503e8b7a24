import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { SoakReport } from '../soak/run-soak';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
const tsx = resolve(root, 'node_modules/.bin/tsx');

/**
 * `npm run soak` is a script, not a test: this runs it for three seconds with a row a second (the
 * test-only --sample-ms) and checks the report's shape. No figure is asserted; a run this short is
 * too short to judge, which the verdict says (the verdict's rules have their own unit test).
 */
describe('npm run soak', () => {
  it('prints a row per interval with memory, descriptors, WAL sizes and loop delay, and a verdict', async () => {
    const { stdout } = await run(tsx, ['scripts/soak.ts', '--json', '--minutes', '0.05', '--sample-ms', '1000', '--peak-seconds', '1'], { cwd: root, timeout: 120_000 });
    const report = JSON.parse(stdout) as SoakReport;
    const n = expect.any(Number) as unknown;
    expect(report.peak).toMatchObject({ sagasPerSec: n, seconds: n });
    expect(report.ratePerSec).toBeGreaterThan(0);
    expect(report.rows).toHaveLength(3);
    for (const row of report.rows) {
      expect(row).toMatchObject({ atMs: n, sagasEnded: n, sagasPerSec: n, backlog: n, rssMb: n, rssAnonMb: n, heapUsedMb: n, fds: n, dataMb: n, eventLoopDelayMs: { p50: n, p99: n, max: n } });
      expect(Object.keys(row.walMb)).toEqual(expect.arrayContaining(['reservation', 'payment', 'bus']));
    }
    expect(report.verdict).toMatchObject({ conclusive: false, ok: true, memory: { flat: true }, fds: { flat: true } });
    expect(report.failedCreates).toBe(0);
  }, 120_000);

  it('refuses a bad option, naming it', async () => {
    const failed = await run(tsx, ['scripts/soak.ts', '--minutes', '0'], { cwd: root }).catch((e: { code: number; stderr: string }) => e);
    expect(failed).toMatchObject({ code: 2 });
    expect((failed as { stderr: string }).stderr).toContain('--minutes');
  });
});
