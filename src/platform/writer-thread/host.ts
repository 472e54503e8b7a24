import { parentPort } from 'node:worker_threads';
import { toThreadError, type FromWriter, type ToWriter, type WriteResult } from './protocol';

/** What the thread keeps per open file: a write (it may commit later, with others) and a close. */
export interface ThreadWriterTarget {
  write(item: unknown): Promise<unknown>;
  close(): void;
}

/** How each kind of writer opens its file on the thread. */
export type WriterKinds = Record<string, (file: string) => ThreadWriterTarget>;

/**
 * The writer thread's message loop: opens, writes to and closes the files the app names. All writes of
 * one message (one turn of the app's, for every file) are queued in the same turn, so each target's
 * group commit folds its own into one transaction; the answers go back together once every one has settled.
 */
export function hostWriters(kinds: WriterKinds): void {
  if (!parentPort) throw new Error('the writer thread runs as a worker thread (writer-thread/client.ts starts it)');
  const port = parentPort;
  const targets = new Map<number, ThreadWriterTarget>();
  /** Why a file could not be opened: every write to it gets that answer. */
  const unopened = new Map<number, ReturnType<typeof toThreadError>>();
  const post = (m: FromWriter) => port.postMessage(m);
  port.on('message', (m: ToWriter) => {
    switch (m.op) {
      case 'open': {
        const open = kinds[m.kind];
        try {
          if (!open) throw new Error(`the writer thread knows no writer "${m.kind}" (it knows ${Object.keys(kinds).join(', ')})`);
          targets.set(m.handle, open(m.file));
        } catch (error) {
          unopened.set(m.handle, toThreadError(error));
          post({ op: 'failed', handle: m.handle, error: toThreadError(error) });
        }
        return;
      }
      case 'close':
        targets.get(m.handle)?.close();
        targets.delete(m.handle);
        unopened.delete(m.handle);
        return;
      case 'write': {
        // Every file's writes of the message are queued in this turn, and answered in one message.
        const writes: Array<Promise<WriteResult>> = [];
        for (const batch of m.batches) {
          const target = targets.get(batch.handle);
          if (!target) {
            const error = unopened.get(batch.handle) ?? toThreadError(new Error('the file is not open in the writer thread (the app closed it)'));
            for (const i of batch.items) writes.push(Promise.resolve({ k: i.k, ok: false, error }));
            continue;
          }
          for (const i of batch.items)
            writes.push(
              target.write(i.item).then(
                (value): WriteResult => ({ k: i.k, ok: true, value }),
                (error: unknown): WriteResult => ({ k: i.k, ok: false, error: toThreadError(error) }),
              ),
            );
        }
        void Promise.all(writes).then((results) => post({ op: 'written', results }));
        return;
      }
    }
  });
}
