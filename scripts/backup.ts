/** `npm run backup -- --to DIR [--data DIR]`: a consistent online backup of every SQLite file, while the app runs. */
import { parseArgs } from 'node:util';
import { backupDataDir } from '../src/platform/backup';

const { values } = parseArgs({ options: { to: { type: 'string' }, data: { type: 'string', default: process.env.DATA_DIR ?? 'data' } } });
if (!values.to) {
  process.stderr.write('npm run backup -- --to DIR: say where the copies go (a folder; it is created if missing)\n');
  process.exit(2);
}
try {
  const done = await backupDataDir(values.data, values.to);
  for (const b of done) console.log(`${b.file.padEnd(18)} ${String(b.bytes).padStart(12)} bytes  ${String(b.pages).padStart(8)} pages  quick_check: ${b.check}`);
  console.log(`backed up ${done.length} files from ${values.data} to ${values.to}`);
  process.exit(done.every((b) => b.check === 'ok') ? 0 : 1);
} catch (error) {
  process.stderr.write(`backup failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
