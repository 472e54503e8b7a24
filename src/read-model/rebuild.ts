import { iso, type Clock } from '../platform/clock';
import { ModuleNotHereError } from '../platform/errors';
import type { Logger } from '../platform/logger';
import { SOURCE_NAMES, type EventSource, type SourceName } from './event-source';
import { projectedContract } from './facts';
import type { ReadModelStore } from './infrastructure/read-model-store';
import { applyEvent } from './projector';

export interface RebuildStarted {
  generation: number;
  /** Continues an interrupted rebuild from where it stopped. */
  resumed: boolean;
  /** A rebuild was running already; this call joined it. */
  alreadyRunning: boolean;
}

const nothingFolded = (): Record<SourceName, number> => ({ reservation: 0, payment: 0 });

/**
 * Rebuilds the read model from the modules' event histories while the app runs. It folds the histories
 * into the next generation in chunks (one transaction each, recording how far it got), yielding between
 * them so queries keep answering from the live generation and the bus keeps feeding it. The chunk that
 * finds every source caught up switches, in the same transaction: nothing can be published in between,
 * and the new generation's inbox holds every event it folded, so the live feed then goes on in it and
 * absorbs what it already has. Stopped or crashed half-way, the old generation keeps serving and the
 * recorded positions let the next `start` resume.
 */
export class Rebuilder {
  private running: Promise<void> | null = null;
  private current = 0;
  private stopping = false;

  constructor(
    private readonly store: ReadModelStore,
    private readonly sources: readonly EventSource[],
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly batch: number,
    private readonly switched: (gen: number) => void,
  ) {}

  get busy(): boolean {
    return this.running !== null;
  }

  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.idle();
  }

  start(restart: boolean): RebuildStarted {
    if (this.running) return { generation: this.current, resumed: false, alreadyRunning: true };
    const unfinished = this.store.rebuilds.unfinished();
    const missing = SOURCE_NAMES.filter((n) => !this.sources.some((s) => s.name === n));
    if (missing.length > 0) {
      throw new ModuleNotHereError(
        `a rebuild reads the event histories of both modules, and this process cannot read ${missing.join(' and ')} (split mode); ` +
          'stop the processes and run `npm run projections:rebuild` on the shared DATA_DIR (it rebuilds offline when no server answers)',
      );
    }
    const now = iso(this.clock.now());
    const resume = unfinished && !restart ? unfinished : null;
    const gen = resume?.gen ?? this.store.nextGeneration();
    this.store.transaction(() => {
      if (unfinished && !resume) this.store.rebuilds.setState(unfinished.gen, 'abandoned', 'restarted from the beginning on request', now);
      if (resume) this.store.rebuilds.setState(gen, 'running', null, now);
      else {
        this.store.openFeed(gen, SOURCE_NAMES);
        this.store.rebuilds.add(gen, nothingFolded(), now);
      }
    });
    this.stopping = false;
    this.current = gen;
    const positions = { ...nothingFolded(), ...resume?.positions };
    this.running = this.run(gen, positions).finally(() => (this.running = null));
    return { generation: gen, resumed: resume !== null, alreadyRunning: false };
  }

  private async run(gen: number, positions: Record<SourceName, number>): Promise<void> {
    try {
      for (;;) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        // Left marked running in the file: the next open marks it interrupted, exactly as after a crash.
        if (this.stopping) return;
        const switched = this.store.transaction(() => {
          if (!this.chunk(gen, positions)) return false;
          this.store.setLiveGeneration(gen);
          this.store.rebuilds.setState(gen, 'done', null, iso(this.clock.now()));
          return true;
        });
        if (switched) {
          this.switched(gen);
          return;
        }
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.store.rebuilds.setState(gen, 'interrupted', message, iso(this.clock.now()));
      this.log.error({ err: error, generation: gen }, 'read-model rebuild stopped; the live model keeps serving and the rebuild resumes on request');
    }
  }

  /** Folds up to `batch` events of each source; true when every source has nothing more. */
  private chunk(gen: number, positions: Record<SourceName, number>): boolean {
    let folded = 0;
    let skipped = 0;
    let exhausted = true;
    for (const source of this.sources) {
      const rows = source.read(positions[source.name], this.batch);
      if (rows.length === this.batch) exhausted = false;
      for (const { position, envelope } of rows) {
        const contract = projectedContract(envelope.type, envelope.version);
        if (!contract) skipped++;
        else {
          const parsed = contract.schema.safeParse(envelope.payload);
          if (!parsed.success) {
            throw new Error(`${source.name} event ${envelope.id} at position ${position} does not match ${contract.name} (${parsed.error.message}); the rebuild stopped before it`);
          }
          if (applyEvent(this.store, gen, contract, envelope, parsed.data)) {
            this.store.addToFeed(gen, source.name, 1);
            folded++;
          }
        }
        positions[source.name] = position;
      }
    }
    this.store.rebuilds.recordProgress(gen, positions, folded, skipped, iso(this.clock.now()));
    return exhausted;
  }
}
