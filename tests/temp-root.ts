import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEMP_ROOT_ENV } from '../src/bus/testing/temp-dir';

/**
 * vitest globalSetup: every test's data folder goes under one root for this run, removed at the end
 * (test workers are stopped without a normal process exit, so they cannot clean up after themselves).
 */
export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'consistency-tests-'));
  process.env[TEMP_ROOT_ENV] = root;
  return () => rmSync(root, { recursive: true, force: true });
}
