/** A writer thread for the client's own tests: kinds that echo (at once or after 50 ms), fail with a code, fail odd items, or end the thread. */
import { hostWriters } from '../host';

let batches = 0;
hostWriters({
  echo: (file) => {
    let pending: Array<() => void> = [];
    return {
      // Writes of one message are queued in one turn: answer them together, counting turns as batches.
      write: (item) =>
        new Promise((resolve) => {
          if (pending.length === 0) setImmediate(() => ((batches += 1), pending.forEach((f) => f()), (pending = [])));
          pending.push(() => resolve({ file, item, batch: batches + 1 }));
        }),
      close: () => {},
    };
  },
  // A thread busy for a while: what the app queues meanwhile is held until it answers.
  slow: (file) => ({
    write: (item) => new Promise((resolve) => setTimeout(() => resolve({ file, item }), 50)),
    close: () => {},
  }),
  fail: () => ({
    write: () => Promise.reject(Object.assign(new Error('disk full'), { code: 'SQLITE_FULL' })),
    close: () => {},
  }),
  // Odd items fail, even ones echo: one message's writes answered each on its own.
  odd: () => ({
    write: (item) => ((item as number) % 2 === 1 ? Promise.reject(new Error(`odd item ${String(item)}`)) : Promise.resolve(item)),
    close: () => {},
  }),
  crash: () => ({
    write: () => process.exit(3),
    close: () => {},
  }),
});
