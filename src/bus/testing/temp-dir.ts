import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where `tempDir` makes its folders when set (the test run sets it and removes it at the end). */
export const TEMP_ROOT_ENV = 'CONSISTENCY_TEMP_ROOT';

const made: string[] = [];

/** Removes every folder `tempDir` made in this process (a bench run writes gigabytes). */
function removeAll(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A fresh folder for a test's or a bench's SQLite files, removed when the process exits normally. */
export const tempDir = (prefix = 'consistency-'): string => {
  if (made.length === 0) process.once('exit', removeAll);
  const dir = mkdtempSync(join(process.env[TEMP_ROOT_ENV] ?? tmpdir(), prefix));
  made.push(dir);
  return dir;
};
