/**
 * `npm run soak -- --minutes 30 [--rate N] [--json]`: the app in-process at half its measured peak (or
 * --rate) with one row a minute of memory, descriptors, WAL sizes and event-loop delay, then a verdict:
 * memory flat and descriptors flat, or a non-zero exit (tests/soak/).
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { formatRow, formatSummary, SOAK_HEADER } from '../tests/soak/soak-report';
import { soakOptionsSchema } from '../tests/soak/soak-options';
import { runSoak } from '../tests/soak/run-soak';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string' },
    rate: { type: 'string' },
    'peak-seconds': { type: 'string' },
    'sample-ms': { type: 'string' },
    json: { type: 'boolean', default: false },
  },
  strict: true,
});
const parsed = soakOptionsSchema.safeParse({ minutes: values.minutes, rate: values.rate, peakSeconds: values['peak-seconds'], sampleMs: values['sample-ms'] });
if (!parsed.success) {
  const flag = (key: PropertyKey | undefined) => `--${String(key).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  process.stderr.write(`invalid option: ${parsed.error.issues.map((i) => `${flag(i.path[0])}: ${i.message}`).join('; ')}\n`);
  process.exit(2);
}
// Ctrl-C still removes the temporary data folder (tempDir cleans up on a normal exit).
process.once('SIGINT', () => process.exit(130));
const say = (line: string) => process.stderr.write(`${line}\n`);
const print = (line: string) => {
  if (!values.json) process.stdout.write(`${line}\n`);
};
print(SOAK_HEADER);
print(`|${'---|'.repeat(10)}`);
const report = await runSoak(parsed.data, (row) => print(formatRow(row)), say);
if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
else process.stdout.write(`${formatSummary(report).join('\n')}\n`);
process.exit(report.verdict.ok && report.failedCreates === 0 ? 0 : 1);
