import { closeSync, existsSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { countDiskWrites } from '../../scripts/bench/disk-writes';
import { tempDir } from '../../src/bus/testing/temp-dir';

describe("the bench's disk writes", () => {
  it.runIf(existsSync('/proc/self/io'))('counts the bytes and the calls a run handed to write, per saga', () => {
    const file = join(tempDir('disk-writes-'), 'f');
    const fd = openSync(file, 'w');
    const page = Buffer.alloc(4096, 1);
    const written = countDiskWrites();
    for (let i = 0; i < 100; i++) writeSync(fd, page);
    const perSaga = written(10); // 10 "sagas" of 10 pages each
    closeSync(fd);
    expect(perSaga?.kbPerSaga).toBeGreaterThanOrEqual(40);
    expect(perSaga?.callsPerSaga).toBeGreaterThanOrEqual(10);
    // Only this test's writes and whatever the runner wrote meanwhile (its output): not many more calls.
    expect(perSaga?.callsPerSaga).toBeLessThan(1_000);
  });

  it('gives no figure for no sagas', () => {
    expect(countDiskWrites()(0)).toBeNull();
  });
});
