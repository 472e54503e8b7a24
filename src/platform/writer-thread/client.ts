import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { SequenceTable } from '../sequence-table';
import { fromThreadError, type FromWriter, type ThreadError, type ToWriter, type WriteBatch } from './protocol';

interface Waiting {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/**
 * Writes held while the thread still owes an answer travel at the end of the turn that queues this
 * many, without waiting for it: full load's turns reach it.
 */
export const GATHER_LIMIT = 1_024;

/** tsx's ESM API (`tsx/esm/api`, its import build: require resolves the CommonJS one beside it), whose register() hooks TypeScript into a thread. */
const tsxApi = () => pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;

/**
 * The writer thread: one per process (per entry), started on first use, holding a connection to each file
 * the app hands it. Consumer groups that only record (the read model, the choreography saga observer)
 * keep their delivery, retries and dead letters on the main thread and send their writes here, so the
 * statements and commits run on the other core. If the thread dies, every waiting write fails (its
 * delivery is retried) and the next write restarts it, reopening the files.
 */
class WriterThread {
  private worker: Worker | null = null;
  /** Writes sent and not answered yet, by the number each travels with: not a Map (sequence-table.ts says why). */
  private readonly waiting = new SequenceTable<Waiting>();
  /** Open handles, to open again in a restarted thread. */
  private readonly open = new Map<number, { kind: string; file: string }>();
  private readonly failed = new Map<number, ThreadError>();
  private nextHandle = 1;
  /** The writes not sent yet (this turn's, or several turns' while the thread owes an answer), one batch per file (a handful of files: a list, found by a scan). */
  private turn: Array<{ handle: number; queued: Array<{ item: unknown; waiting: Waiting }> }> = [];
  private queued = 0;
  /** A flush at the end of this turn is scheduled. */
  private scheduled = false;
  /** 'write' messages sent and not answered yet. */
  private unanswered = 0;

  constructor(private readonly entry: URL) {}

  add(kind: string, file: string): number {
    const handle = this.nextHandle++;
    this.open.set(handle, { kind, file });
    this.send({ op: 'open', handle, kind, file });
    return handle;
  }

  remove(handle: number): void {
    this.open.delete(handle);
    this.failed.delete(handle);
    if (this.worker) this.send({ op: 'close', handle });
  }

  /**
   * Queues a write; the promise settles when its transaction has committed (or failed). Everything
   * queued during one turn, for every file, travels in one message: a message per file and turn cost
   * a `postMessage` each on this thread and a message event and an answer each on the other. While the
   * thread still owes an answer, later turns' writes wait for it and then travel together (up to
   * `GATHER_LIMIT`): nothing on a saga's path waits for this thread (it holds the read model and the
   * choreography saga log), and at low load a turn holds a write or two, whose message, wake-up and
   * commit cost more than the writes themselves, on both threads.
   */
  enqueue(handle: number, item: unknown, waiting: Waiting): void {
    let batch = this.turn.find((b) => b.handle === handle);
    if (!batch) this.turn.push((batch = { handle, queued: [] }));
    batch.queued.push({ item, waiting });
    if (++this.queued >= GATHER_LIMIT || this.unanswered === 0) this.flushSoon();
  }

  /** At the end of this turn. */
  private flushSoon(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  /** Sends what is queued (at once: a handle that closes sends its writes first). */
  flush(): void {
    this.scheduled = false;
    this.queued = 0;
    if (this.turn.length === 0) return;
    const batches: WriteBatch[] = [];
    for (const { handle, queued } of this.turn) {
      const failure = this.failed.get(handle);
      if (failure) {
        for (const q of queued) q.waiting.reject(fromThreadError(failure));
        continue;
      }
      // Only the callbacks wait for the answer: the item travels in the message (cloned by postMessage) and is not kept.
      // Filled by push, not preallocated: an array made with a length stays holey, and postMessage writes a
      // holey array out sparsely, with each element's index (about twice the bytes).
      const ks: number[] = [];
      const items: unknown[] = [];
      for (const q of queued) {
        ks.push(this.waiting.add(q.waiting));
        items.push(q.item);
      }
      batches.push({ handle, ks, items });
    }
    this.turn = [];
    if (batches.length > 0) {
      this.unanswered++;
      this.send({ op: 'write', batches });
    }
  }

  private send(m: ToWriter): void {
    const w = this.worker ?? this.spawn();
    w.postMessage(m);
    // Kept alive only while it owes answers: an idle thread never holds the process open.
    if (this.waiting.size > 0) w.ref();
  }

  private spawn(): Worker {
    // The thread runs TypeScript as the app does: it registers tsx's loader before importing its entry.
    const w = this.entry.pathname.endsWith('.ts')
      ? new Worker(`import(${JSON.stringify(tsxApi())}).then((tsx) => { tsx.register(); return import(${JSON.stringify(this.entry.href)}); });`, { eval: true })
      : new Worker(fileURLToPath(this.entry));
    w.unref();
    w.on('message', (m: FromWriter) => this.receive(m));
    const gone = (why: string) => {
      if (this.worker !== w) return;
      this.worker = null;
      const error = new Error(`the writer thread stopped (${why}); the deliveries it held are retried`);
      for (const p of this.waiting.drain()) p.reject(error);
      this.unanswered = 0;
      if (this.queued > 0) this.flushSoon(); // held for an answer that will not come: to the next thread
    };
    w.on('error', (e) => gone(e.message));
    w.on('exit', (code) => gone(`exit code ${code}`));
    this.worker = w;
    for (const [handle, { kind, file }] of this.open) w.postMessage({ op: 'open', handle, kind, file } satisfies ToWriter);
    return w;
  }

  private receive(m: FromWriter): void {
    if (m.op === 'failed') {
      this.failed.set(m.handle, m.error);
      return;
    }
    // The failed ones first, so the loop below finds them taken and resolves only the others.
    for (const f of m.failures) this.waiting.take(m.ks[f.i] as number)?.reject(fromThreadError(f.error));
    m.ks.forEach((k, i) => this.waiting.take(k)?.resolve(m.values[i]));
    if (this.waiting.size === 0) this.worker?.unref();
    // What gathered while the thread was busy goes now, in one message. (Never below zero: a late answer
    // from a thread already given up for gone must not leave later writes waiting for one more.)
    if (this.unanswered > 0) this.unanswered--;
    if (this.unanswered === 0 && this.queued > 0) this.flushSoon();
  }
}

/** The answers of one `writeMany`, resolved once the last one is in. */
class Gathered<R> {
  readonly answers: Array<R | Error>;
  private readonly answered: Uint8Array;
  private left: number;
  constructor(
    n: number,
    private readonly done: (answers: Array<R | Error>) => void,
  ) {
    this.answers = new Array<R | Error>(n);
    this.answered = new Uint8Array(n);
    this.left = n;
  }
  /** The first answer for an item counts (the waiting table gives each out once; this holds even if not). */
  set(i: number, answer: R | Error): void {
    if (this.answered[i] === 1) return;
    this.answered[i] = 1;
    this.answers[i] = answer;
    if (--this.left === 0) this.done(this.answers);
  }
}

/** One write of a `writeMany` as the thread's waiting table holds it: an object, not a promise and two closures. */
class GatheredAnswer<R> implements Waiting {
  constructor(
    private readonly into: Gathered<R>,
    private readonly i: number,
  ) {}
  resolve(value: unknown): void {
    this.into.set(this.i, value as R);
  }
  reject(error: Error): void {
    this.into.set(this.i, error);
  }
}

const threads = new Map<string, WriterThread>();

/** One file's writes on the writer thread: everything written during one turn, to any file, travels in one message. */
export class ThreadWriter<I, R> {
  private readonly thread: WriterThread;
  private readonly handle: number;

  /** `entry`: the thread's module, which calls `hostWriters` with every kind it knows. */
  constructor(entry: URL, kind: string, file: string) {
    let thread = threads.get(entry.href);
    if (!thread) threads.set(entry.href, (thread = new WriterThread(entry)));
    this.thread = thread;
    this.handle = thread.add(kind, file);
  }

  write(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => this.thread.enqueue(this.handle, item, { resolve: resolve as (v: unknown) => void, reject }));
  }

  /** Several writes with one promise: each answer in the order of `items`, an Error where that write failed. */
  writeMany(items: readonly I[]): Promise<Array<R | Error>> {
    if (items.length === 0) return Promise.resolve([]);
    return new Promise<Array<R | Error>>((resolve) => {
      const answers = new Gathered<R>(items.length, resolve);
      for (let i = 0; i < items.length; i++) this.thread.enqueue(this.handle, items[i], new GatheredAnswer(answers, i));
    });
  }

  /** Sends what is queued; the thread closes its connection after the writes already sent. */
  close(): void {
    this.thread.flush();
    this.thread.remove(this.handle);
  }
}

/** How the composition root hands a module a writer on the thread (null: write on the app's own thread). */
export type WriterFactory = <I, R>(kind: string, file: string) => ThreadWriter<I, R>;
