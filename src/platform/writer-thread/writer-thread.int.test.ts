import { describe, expect, it } from 'vitest';
import { ThreadWriter } from './client';

const entry = new URL('./testing/test-writer-entry.ts', import.meta.url);

describe('the writer thread', () => {
  it('sends the writes of one turn in one message and answers each one', async () => {
    const w = new ThreadWriter<number, { file: string; item: number; batch: number }>(entry, 'echo', 'a.db');
    const answers = await Promise.all([1, 2, 3].map((n) => w.write(n)));
    expect(answers.map((a) => a.item)).toEqual([1, 2, 3]);
    expect(new Set(answers.map((a) => a.batch)).size).toBe(1);
    expect(answers[0]?.file).toBe('a.db');
    w.close();
  });

  it('rejects a failed write with its message and code, so its delivery is retried', async () => {
    const w = new ThreadWriter(entry, 'fail', 'b.db');
    await expect(w.write(1)).rejects.toMatchObject({ message: 'disk full', code: 'SQLITE_FULL' });
    w.close();
  });

  it('an unknown kind fails every write with what the thread knows', async () => {
    const w = new ThreadWriter(entry, 'nope', 'c.db');
    await expect(w.write(1)).rejects.toThrow(/knows no writer "nope" \(it knows echo, fail, crash\)/);
    w.close();
  });

  it('when the thread dies, what it held fails (to be retried), and the next write starts a new one', async () => {
    const crash = new ThreadWriter(entry, 'crash', 'd.db');
    const echo = new ThreadWriter<number, { item: number }>(entry, 'echo', 'e.db');
    await expect(crash.write(1)).rejects.toThrow(/the writer thread stopped \(exit code 3\)/);
    crash.close();
    await expect(echo.write(7)).resolves.toMatchObject({ item: 7 }); // reopened in the new thread
    echo.close();
  });
});
