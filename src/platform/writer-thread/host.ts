import { parentPort } from 'node:worker_threads';
import type { Outcome } from '../group-commit';
import { toThreadError, type FromWriter, type ThreadError, type ToWriter, type Written } from './protocol';

/** What the thread keeps per open file: its writes of one message, and a close. */
export interface ThreadWriterTarget {
  /**
   * The writes of one message to this file, in order, answered in order: what each returned, or (ok false)
   * what it threw. A store commits them at once (GroupCommit.commitNow: one transaction per 1,000 writes),
   * so the thread answers in the same turn: no promise per write. A target may answer later (a promise),
   * or throw, which fails every write of the message to this file.
   */
  writeAll(items: unknown[]): Outcome[] | Promise<Outcome[]>;
  close(): void;
}

/** How each kind of writer opens its file on the thread. */
export type WriterKinds = Record<string, (file: string) => ThreadWriterTarget>;

/**
 * The writer thread's message loop: opens, writes to and closes the files the app names. Each target gets
 * its writes of one message (one turn of the app's, or several while the thread was busy) together and
 * commits them at once (one transaction per 1,000 writes); the answers go back in one message once every
 * file has answered.
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
        // Every file's writes of the message, answered in one message once each file has answered.
        const answer: Written = { op: 'written', ks: [], values: [], failures: [] };
        const failAll = (at: number, n: number, error: ThreadError) => {
          for (let i = 0; i < n; i++) answer.failures.push({ i: at + i, error });
        };
        const record = (at: number, n: number, outcomes: Outcome[]) => {
          // One outcome per write, or none counts: a write without its own outcome must not be answered as done.
          if (outcomes.length !== n) return failAll(at, n, toThreadError(new Error(`the writer answered ${outcomes.length} outcomes for ${n} writes`)));
          outcomes.forEach((o, i) => {
            if (o.ok) answer.values[at + i] = o.value;
            else answer.failures.push({ i: at + i, error: toThreadError(o.value) });
          });
        };
        const later: Array<Promise<void>> = [];
        for (const batch of m.batches) {
          const at = answer.ks.length;
          for (const k of batch.ks) {
            answer.ks.push(k);
            answer.values.push(null);
          }
          const target = targets.get(batch.handle);
          if (!target) {
            failAll(at, batch.ks.length, unopened.get(batch.handle) ?? toThreadError(new Error('the file is not open in the writer thread (the app closed it)')));
            continue;
          }
          const n = batch.ks.length;
          const failed = (error: unknown) => failAll(at, n, toThreadError(error));
          try {
            const outcomes = target.writeAll(batch.items);
            if (Array.isArray(outcomes)) record(at, n, outcomes);
            else later.push(outcomes.then((o) => record(at, n, o)).catch(failed));
          } catch (error) {
            failed(error);
          }
        }
        if (later.length === 0) post(answer);
        else void Promise.all(later).then(() => post(answer));
        return;
      }
    }
  });
}
