import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../src/bus/testing/temp-dir';
import { StorageUnavailableError } from '../../src/platform/errors';
import { startSystem, type System } from '../scenarios/system';

/** A small file system of our own (tmpfs with a size limit) to fill up. Needs root, as CI has. */
const mountPoint = join(tempDir('tmpfs-'), 'small');
let mounted = false;
beforeAll(() => {
  mkdirSync(mountPoint, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', mountPoint], { stdio: 'pipe' });
    mounted = true;
  } catch (error) {
    if (process.env.REQUIRE_BROKERS === '1') throw new Error(`cannot mount a tmpfs for the disk-full test (needs root): ${String(error)}`);
  }
});
afterAll(() => {
  if (mounted) execFileSync('umount', ['-l', mountPoint]);
});

describe('a disk that fills up while running', () => {
  it('refuses what it cannot store with one clear error, stores nothing half-way, and recovers by itself when space returns', async (ctx) => {
    if (!mounted) return ctx.skip();
    const dir = join(mountPoint, 'data');
    let s: System | null = null;
    try {
      s = await startSystem({ env: { DATA_DIR: dir } });
      const ok = await s.create();
      await s.settle();
      // Fill the file system, leaving nothing for the next commit.
      const filler = join(mountPoint, 'filler');
      const free = () => { const f = statfsSync(mountPoint); return f.bavail * f.bsize; };
      for (let i = 0; free() > 0; i++) {
        try {
          writeFileSync(`${filler}-${i}`, Buffer.alloc(Math.max(4096, free())));
        } catch {
          break;
        }
      }
      const count = () => s!.app.reservation.list({ limit: 200 }).items.length;
      const before = count();
      let refused: unknown = null;
      for (let i = 0; i < 50 && !refused; i++) {
        try {
          await s.create();
        } catch (error) {
          refused = error;
        }
      }
      expect(refused).toBeInstanceOf(StorageUnavailableError);
      expect((refused as Error).message).toMatch(/reservation\.db: the disk holding it is full; nothing of this request was stored/);
      const afterRefusal = count();
      expect(afterRefusal).toBeGreaterThanOrEqual(before); // the ones before the refusal committed whole
      // Space returns: the next request is stored, and everything committed converges.
      for (let i = 0; i < 100; i++) rmSync(`${filler}-${i}`, { force: true });
      const later = await s.create();
      await s.advance(20_000);
      expect(s.reservation(later.id).status).toBe('CONFIRMED');
      expect(s.reservation(ok.id).status).toBe('CONFIRMED');
      s.check();
    } finally {
      await s?.stop();
    }
  });
});
