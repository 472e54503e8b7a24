import type { Envelope } from '../bus/envelope';
import type { Contract } from '../platform/contract';
import type { ThreadWriterTarget } from '../platform/writer-thread/host';
import type { ThreadWriter, WriterFactory } from '../platform/writer-thread/client';
import type { SourceName } from './event-source';
import { projectedContractByName } from './facts';
import { ReadModelStore } from './infrastructure/read-model-store';
import { applyLiveEvent, type ProjectedEvent, type Projector } from './projector';

/**
 * One event to fold, as it crosses to the writer thread: only what the fold needs, as a list rather than
 * an object (postMessage writes out every key of every object it clones, and this crosses for each event).
 */
type ProjectItem = [
  source: SourceName,
  /** The contract's name (`payment.PaymentSucceeded.v1`). */
  contract: string,
  id: string,
  occurredAt: string,
  payload: unknown,
];

export const PROJECTOR_WRITER = 'read-model';

/**
 * The read model's writes on the writer thread: the consumer group (retries, dead letters) stays on the
 * main thread; the fold and its commit run on the other core, in group-committed IMMEDIATE transactions
 * on the thread's own connection. The live generation is read inside each transaction, so a rebuild's
 * switch, committed on the app's connection, is seen by the very next write.
 */
export class ThreadProjector implements Projector {
  private readonly writer: ThreadWriter<ProjectItem, boolean>;

  constructor(writers: WriterFactory, file: string) {
    this.writer = writers<ProjectItem, boolean>(PROJECTOR_WRITER, file);
  }

  apply(source: SourceName, contract: Contract, envelope: Pick<Envelope, 'id' | 'occurredAt'>, payload: unknown): Promise<boolean> {
    return this.writer.write([source, contract.name, envelope.id, envelope.occurredAt, payload]);
  }

  applyMany(events: readonly ProjectedEvent[]): Promise<boolean[]> {
    const items = events.map((e): ProjectItem => [e.source, e.contract.name, e.envelope.id, e.envelope.occurredAt, e.payload]);
    return this.writer.writeMany(items).then((answers) => answers.map((a) => !(a instanceof Error)));
  }

  close(): void {
    this.writer.close();
  }
}

/** The thread's side: its own connection to read-model.db (the app's connection created the file and its schema). */
export function openProjectorTarget(file: string): ThreadWriterTarget {
  const store = ReadModelStore.open(file, { ownThread: true });
  const project = ([source, contract, id, occurredAt, payload]: ProjectItem): boolean =>
    applyLiveEvent(store, store.liveGenerationInWrite(), source, projectedContractByName(contract), { id, occurredAt }, payload);
  return {
    writeAll: (items) => store.writeNow(items as ProjectItem[], project),
    close: () => store.close(),
  };
}

/** The same writes on the app's own connection (WRITER_THREAD=off): one group commit per turn. */
export class InlineProjector implements Projector {
  constructor(
    private readonly store: ReadModelStore,
    private readonly liveGeneration: () => number,
  ) {}

  apply(source: SourceName, contract: Contract, envelope: Pick<Envelope, 'id' | 'occurredAt'>, payload: unknown): Promise<boolean> {
    return this.store.write(() => applyLiveEvent(this.store, this.liveGeneration(), source, contract, envelope, payload));
  }

  close(): void {}
}
