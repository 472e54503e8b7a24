import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh folder for a test's SQLite files. */
export const tempDir = (prefix = 'consistency-'): string => mkdtempSync(join(tmpdir(), prefix));
