/** A writer thread for the client's own tests: kinds that echo (at once or after 50 ms), fail with a code, fail odd items, answer wrongly or late, or end the thread. */
import type { Outcome } from '../../group-commit';
import { hostWriters } from '../host';

let batches = 0;
const ok = (value: unknown): Outcome => ({ ok: true, value });
hostWriters({
  // Writes of one message arrive together: answered together, each message counted as a batch.
  echo: (file) => ({
    writeAll: (items) => {
      batches += 1;
      return items.map((item) => ok({ file, item, batch: batches }));
    },
    close: () => {},
  }),
  // A thread busy for a while: what the app queues meanwhile is held until it answers.
  slow: (file) => ({
    writeAll: (items) => new Promise((resolve) => setTimeout(() => resolve(items.map((item) => ok({ file, item }))), 50)),
    close: () => {},
  }),
  fail: () => ({
    writeAll: () => {
      throw Object.assign(new Error('disk full'), { code: 'SQLITE_FULL' });
    },
    close: () => {},
  }),
  // Odd items fail, even ones echo: one message's writes answered each on its own.
  odd: () => ({
    writeAll: (items) => items.map((item) => ((item as number) % 2 === 1 ? { ok: false, value: new Error(`odd item ${String(item)}`) } : ok(item))),
    close: () => {},
  }),
  // Answers one outcome short: the host must not take the missing one for done.
  short: () => ({
    writeAll: (items) => items.slice(1).map(ok),
    close: () => {},
  }),
  // Answers later, with a failure for the lot.
  rejects: () => ({
    writeAll: () => Promise.reject(new Error('late refusal')),
    close: () => {},
  }),
  crash: () => ({
    writeAll: () => process.exit(3),
    close: () => {},
  }),
});
