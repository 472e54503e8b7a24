import { Worker } from 'node:worker_threads';
import { describe, expect, it, vi } from 'vitest';
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

  it('sends the writes of one turn to every file in one message, and answers each to its own file', async () => {
    const a = new ThreadWriter<number, { file: string; item: number }>(entry, 'echo', 'f.db');
    const b = new ThreadWriter<number, { file: string; item: number }>(entry, 'echo', 'g.db');
    await a.write(0); // the thread is up and both files are open
    const posted = vi.spyOn(Worker.prototype, 'postMessage');
    try {
      const answers = await Promise.all([a.write(1), b.write(2), a.write(3)]);
      expect(answers).toEqual([expect.objectContaining({ file: 'f.db', item: 1 }), expect.objectContaining({ file: 'g.db', item: 2 }), expect.objectContaining({ file: 'f.db', item: 3 })]);
      const writes = posted.mock.calls.map(([m]) => m as { op: string; batches?: Array<{ items: unknown[] }> }).filter((m) => m.op === 'write');
      expect(writes).toHaveLength(1);
      expect(writes[0]?.batches?.map((batch) => batch.items.length)).toEqual([2, 1]);
    } finally {
      posted.mockRestore();
      a.close();
      b.close();
    }
  });

  it('holds the writes of later turns while the thread owes an answer, then sends them together', async () => {
    const w = new ThreadWriter<number, { item: number }>(entry, 'slow', 'h.db');
    await w.write(0); // the thread is up and the file is open
    const posted = vi.spyOn(Worker.prototype, 'postMessage');
    const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
    try {
      const first = w.write(1); // nothing owed: it travels at the end of this turn, and takes 50 ms
      await nextTurn();
      const second = w.write(2);
      await nextTurn();
      const third = w.write(3);
      const answers = await Promise.all([first, second, third]);
      expect(answers.map((a) => a.item)).toEqual([1, 2, 3]);
      const writes = posted.mock.calls.map(([m]) => m as { op: string; batches?: Array<{ items: unknown[] }> }).filter((m) => m.op === 'write');
      expect(writes.map((m) => m.batches?.[0]?.items.length)).toEqual([1, 2]);
    } finally {
      posted.mockRestore();
      w.close();
    }
  });

  it('answers several writes with one promise, each in its place, a failed one as its error', async () => {
    const w = new ThreadWriter<number, number>(entry, 'odd', 'o.db');
    const posted = vi.spyOn(Worker.prototype, 'postMessage');
    try {
      const answers = await w.writeMany([2, 3, 4, 5]);
      expect(answers.slice(0, 1)).toEqual([2]);
      expect(answers[1]).toBeInstanceOf(Error);
      expect((answers[1] as Error).message).toBe('odd item 3');
      expect(answers[2]).toBe(4);
      expect((answers[3] as Error).message).toBe('odd item 5');
      const writes = posted.mock.calls.map(([m]) => m as { op: string; batches?: Array<{ items: unknown[] }> }).filter((m) => m.op === 'write');
      expect(writes.flatMap((m) => m.batches?.map((b) => b.items.length))).toEqual([4]);
      expect(await w.writeMany([])).toEqual([]);
    } finally {
      posted.mockRestore();
      w.close();
    }
  });

  it('answers each file of one message in its place: the failures of the second file are its own', async () => {
    const echo = new ThreadWriter<number, { file: string; item: number }>(entry, 'echo', 'p.db');
    const odd = new ThreadWriter<number, number>(entry, 'odd', 'q.db');
    await echo.write(0); // the thread is up and both files are open
    const posted = vi.spyOn(Worker.prototype, 'postMessage');
    try {
      const [a, b] = await Promise.all([echo.writeMany([10, 11]), odd.writeMany([20, 21, 22, 23])]);
      const writes = posted.mock.calls.map(([m]) => m as { op: string }).filter((m) => m.op === 'write');
      expect(writes).toHaveLength(1);
      expect(a).toEqual([expect.objectContaining({ file: 'p.db', item: 10 }), expect.objectContaining({ file: 'p.db', item: 11 })]);
      expect(b[0]).toBe(20);
      expect((b[1] as Error).message).toBe('odd item 21');
      expect(b[2]).toBe(22);
      expect((b[3] as Error).message).toBe('odd item 23');
    } finally {
      posted.mockRestore();
      echo.close();
      odd.close();
    }
  });

  it('fails every write of a file whose answer does not have one outcome per write, or comes as a refusal', async () => {
    const short = new ThreadWriter<number, number>(entry, 'short', 's.db');
    const answers = await short.writeMany([1, 2, 3]);
    for (const a of answers) expect((a as Error).message).toBe('the writer answered 2 outcomes for 3 writes');
    const rejects = new ThreadWriter(entry, 'rejects', 'r.db');
    await expect(rejects.write(1)).rejects.toThrow('late refusal');
    short.close();
    rejects.close();
  });

  it('rejects a failed write with its message and code, so its delivery is retried', async () => {
    const w = new ThreadWriter(entry, 'fail', 'b.db');
    await expect(w.write(1)).rejects.toMatchObject({ message: 'disk full', code: 'SQLITE_FULL' });
    w.close();
  });

  it('an unknown kind fails every write with what the thread knows', async () => {
    const w = new ThreadWriter(entry, 'nope', 'c.db');
    await expect(w.write(1)).rejects.toThrow(/knows no writer "nope" \(it knows echo, slow, fail, odd, short, rejects, crash\)/);
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
