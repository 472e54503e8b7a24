import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Envelope } from '../bus/envelope';
import type { Contract } from '../platform/contract';
import type { SourceName } from './event-source';
import type { ReadModelStore } from './infrastructure/read-model-store';
import { applyEvent, type Projector } from './projector';
import { fromThreadError, type ApplyItem, type FromProjector, type ThreadError, type ToProjector } from './projector-protocol';

interface Waiting {
  resolve: (applied: boolean) => void;
  reject: (error: Error) => void;
}

const entry = new URL(import.meta.url.endsWith('.ts') ? './projector-thread.ts' : './projector-thread.js', import.meta.url);

/**
 * The projector thread: one per process, started on first use, holding a connection to every
 * read-model.db the process has open. The app's consumer group (retries, dead letters) stays on the
 * main thread; only the fold and its commit move, so a saga's main-thread cost no longer includes the
 * read model's three statements per event. Events queued during one turn of the event loop travel in
 * one message and commit in one transaction there; each handler's promise settles after that commit.
 * If the thread dies, every waiting event fails (its delivery is retried) and the next one restarts it.
 */
/** tsx's ESM API (`tsx/esm/api`, its import build: require resolves the CommonJS one beside it), whose register() hooks TypeScript into a thread. */
const tsxApi = () => pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;

class ProjectorThread {
  private worker: Worker | null = null;
  private readonly waiting = new Map<number, Waiting>();
  /** Open handles and their files, to open again in a restarted thread. */
  private readonly files = new Map<number, string>();
  private readonly failed = new Map<number, ThreadError>();
  private nextK = 1;
  private nextHandle = 1;

  open(file: string): number {
    const handle = this.nextHandle++;
    this.files.set(handle, file);
    this.send({ op: 'open', handle, file });
    return handle;
  }

  close(handle: number): void {
    this.files.delete(handle);
    this.failed.delete(handle);
    if (this.worker) this.send({ op: 'close', handle });
  }

  /** Hands a batch to the thread; the promises settle when its transaction has committed (or failed). */
  apply(handle: number, items: Array<Omit<ApplyItem, 'k'> & Waiting>): void {
    const failure = this.failed.get(handle);
    if (failure) {
      for (const i of items) i.reject(fromThreadError(failure));
      return;
    }
    const sent: ApplyItem[] = [];
    for (const { resolve, reject, ...item } of items) {
      const k = this.nextK++;
      this.waiting.set(k, { resolve, reject });
      sent.push({ k, ...item });
    }
    this.send({ op: 'apply', handle, items: sent });
  }

  private send(m: ToProjector): void {
    const w = this.worker ?? this.spawn();
    w.postMessage(m);
    // Kept alive only while it owes answers: an idle thread never holds the process open.
    if (this.waiting.size > 0) w.ref();
  }

  private spawn(): Worker {
    // The thread runs TypeScript as the app does: it registers tsx's loader (resolved from this package) before importing its entry.
    const w = entry.pathname.endsWith('.ts')
      ? new Worker(`import(${JSON.stringify(tsxApi())}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`, { eval: true })
      : new Worker(fileURLToPath(entry));
    w.unref();
    w.on('message', (m: FromProjector) => this.receive(m));
    const gone = (why: string) => {
      if (this.worker !== w) return;
      this.worker = null;
      const error = new Error(`the read model's projector thread stopped (${why}); the deliveries it held are retried`);
      for (const [, p] of this.waiting) p.reject(error);
      this.waiting.clear();
    };
    w.on('error', (e) => gone(e.message));
    w.on('exit', (code) => gone(`exit code ${code}`));
    this.worker = w;
    for (const [handle, file] of this.files) w.postMessage({ op: 'open', handle, file } satisfies ToProjector);
    return w;
  }

  private receive(m: FromProjector): void {
    if (m.op === 'failed') {
      this.failed.set(m.handle, m.error);
      return;
    }
    for (const r of m.results) {
      const p = this.waiting.get(r.k);
      if (!p) continue;
      this.waiting.delete(r.k);
      if (r.ok) p.resolve(r.applied);
      else p.reject(fromThreadError(r.error));
    }
    if (this.waiting.size === 0) this.worker?.unref();
  }
}

const thread = new ProjectorThread();

/** The read model's writes on the projector thread, for one read-model.db. */
export class ThreadProjector implements Projector {
  private readonly handle: number;
  private queue: Array<Omit<ApplyItem, 'k'> & Waiting> = [];
  private scheduled = false;

  constructor(file: string) {
    this.handle = thread.open(file);
  }

  apply(source: SourceName, contract: Contract, envelope: Pick<Envelope, 'id' | 'occurredAt'>, payload: unknown): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.queue.push({ source, contract: contract.name, id: envelope.id, occurredAt: envelope.occurredAt, payload, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Sends what is queued; the thread closes its connection after the writes already sent. */
  close(): void {
    this.flush();
    thread.close(this.handle);
  }

  private flush(): void {
    this.scheduled = false;
    if (this.queue.length === 0) return;
    const items = this.queue;
    this.queue = [];
    thread.apply(this.handle, items);
  }
}

/** The same writes on the app's own connection (READ_MODEL_THREAD=main): one group commit per turn. */
export class InlineProjector implements Projector {
  constructor(
    private readonly store: ReadModelStore,
    private readonly liveGeneration: () => number,
  ) {}

  apply(source: SourceName, contract: Contract, envelope: Pick<Envelope, 'id' | 'occurredAt'>, payload: unknown): Promise<boolean> {
    return this.store.write(() => applyEvent(this.store, this.liveGeneration(), source, contract, envelope, payload));
  }

  close(): void {}
}
