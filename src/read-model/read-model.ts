import { join } from 'node:path';
import { z } from 'zod';
import type { HandlerTable } from '../bus/handler-table';
import type { Clock } from '../platform/clock';
import type { Logger } from '../platform/logger';
import { SOURCE_NAMES, type EventSource } from './event-source';
import { foldHistories } from './fresh-fold';
import { ReadModelStore } from './infrastructure/read-model-store';
import type { RebuildRow } from './infrastructure/rebuild-log';
import { LagMeter, type Lag, type SourceCheckpoint } from './lag';
import { overviewOf, overviewQueries, type Freshness, type GetOverviewInput, type ListOverviewInput, type OverviewAnswer, type OverviewPage } from './overview-queries';
import type { Overview } from './overview';
import { inboxGroup, projectorSubscriptions, type Projector } from './projector';
import { InlineProjector, ThreadProjector } from './projector-client';
import type { WriterFactory } from '../platform/writer-thread/client';
import { Rebuilder, type RebuildStarted } from './rebuild';

export const rebuildInput = z
  .object({
    /** Discard an interrupted rebuild and start over instead of resuming it. */
    restart: z.boolean().default(false),
  })
  .strict();

export interface ProjectionStatus {
  /** The generation queries answer from. */
  generation: number;
  /** The checkpoint: events applied per source, against each source's newest position. */
  sources: SourceCheckpoint[];
  lag: Lag;
  rebuilding: boolean;
  /** The latest rebuild, finished or not. `progress`: the share of the sources' positions it has folded. */
  rebuild: (Omit<RebuildRow, 'gen'> & { generation: number; progress: number }) | null;
}

export interface ReadModelOptions {
  dataDir: string;
  /** Both modules' histories, or only the local one in split mode (then no rebuild here). */
  sources: readonly EventSource[];
  clock: Clock;
  log: Logger;
  /** Events per source per rebuild transaction. */
  rebuildBatch: number;
  /** Where the live feed is written: on the writer thread (the default) or, without one, on the app's own thread. */
  writers?: WriterFactory | null;
}

/** Rows and inbox records of a dropped generation deleted per transaction: small enough to keep the event loop moving. */
const COLLECT_BATCH = 2_000;

/**
 * The CQRS query side (data/read-model.db): the reservation overview, fed from both modules' events
 * through the bus by its own consumer group, rebuilt from their histories without stopping. A part of
 * the app: it starts, settles (a rebuild or a clean-up under way counts as work) and stops with it.
 */
export class ReadModel {
  readonly store: ReadModelStore;
  /** The consumer group `read-model` and its handler per contract. */
  readonly subscriptions: HandlerTable;
  private live: number;
  private readonly lag: LagMeter;
  private readonly rebuilder: Rebuilder;
  private readonly queries;
  private readonly projector: Projector;
  private collecting: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly o: ReadModelOptions) {
    // This connection creates the file and serves queries, rebuilds and clean-up; the live feed writes through `projector`.
    this.store = ReadModelStore.open(join(o.dataDir, 'read-model.db'));
    this.store.rebuilds.interruptRunning();
    this.live = this.store.liveGeneration();
    this.lag = new LagMeter(o.sources, o.clock);
    const file = join(o.dataDir, 'read-model.db');
    this.projector = o.writers ? new ThreadProjector(o.writers, file) : new InlineProjector(this.store, () => this.live);
    this.subscriptions = projectorSubscriptions(this.projector);
    this.rebuilder = new Rebuilder(this.store, o.sources, o.clock, o.log, o.rebuildBatch, (gen) => {
      this.live = gen;
      this.collectGarbage();
    });
    this.queries = overviewQueries(this.store, () => this.live, () => this.freshness());
  }

  start(): void {
    this.stopped = false;
    // A read-model.db created beside histories that exist already (first start on older files) is filled by a rebuild.
    const complete = SOURCE_NAMES.every((n) => this.o.sources.some((s) => s.name === n));
    if (this.store.created && complete && this.o.sources.some((s) => s.head() > 0)) this.rebuilder.start(false);
    this.collectGarbage();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([this.rebuilder.stop(), this.collecting]);
  }

  async idle(): Promise<void> {
    while (this.busy) await Promise.all([this.rebuilder.idle(), this.collecting]);
  }

  get busy(): boolean {
    return this.rebuilder.busy || this.collecting !== null;
  }

  close(): void {
    this.projector.close();
    this.store.close();
  }

  list(input: ListOverviewInput): OverviewPage {
    return this.queries.list(input);
  }

  get(input: GetOverviewInput): OverviewAnswer {
    return this.queries.get(input);
  }

  /** Every row of the live generation, by id (checks and tests). */
  rows(): Overview[] {
    return this.store.overview.all(this.live).map(overviewOf);
  }

  /** The live generation's status per reservation id in (after, upTo] (upTo null: no upper bound), for the auditor. */
  statuses(after: string, upTo: string | null): Map<string, { status: string }> {
    const out = new Map<string, { status: string }>();
    for (const [id, status] of this.store.overview.statuses(this.live, after, upTo)) out.set(id, { status });
    return out;
  }

  /** The overview folded afresh from the sources' histories: what `rows()` must equal once everything is applied. */
  foldHistories(): Overview[] {
    return foldHistories(this.o.sources);
  }

  freshness(): Freshness {
    return { lag: this.lag.measure(this.store.feed(this.live)).lag, rebuilding: this.rebuilder.busy };
  }

  status(): ProjectionStatus {
    const { lag, sources } = this.lag.measure(this.store.feed(this.live));
    const r = this.store.rebuilds.latest();
    let rebuild: ProjectionStatus['rebuild'] = null;
    if (r) {
      const { gen, ...rest } = r;
      const heads = sources.reduce((n, s) => n + (s.head ?? 0), 0);
      const folded = SOURCE_NAMES.reduce((n, s) => n + (r.positions[s] ?? 0), 0);
      rebuild = { generation: gen, ...rest, progress: r.state === 'done' ? 1 : heads === 0 ? 0 : Math.min(1, folded / heads) };
    }
    return { generation: this.live, sources, lag, rebuilding: this.rebuilder.busy, rebuild };
  }

  /** Starts (or resumes, or joins) a rebuild and returns at once; `status()` follows it. */
  startRebuild(raw: z.input<typeof rebuildInput> = {}): RebuildStarted {
    const { restart } = rebuildInput.parse(raw);
    const started = this.rebuilder.start(restart);
    this.collectGarbage();
    return started;
  }

  /** A rebuild to its end (or until the app stops). */
  async rebuild(raw: z.input<typeof rebuildInput> = {}): Promise<ProjectionStatus> {
    this.startRebuild(raw);
    await this.rebuilder.idle();
    return this.status();
  }

  /** Deletes generations nobody reads any more (replaced, or abandoned rebuilds), a chunk per turn. */
  private collectGarbage(): void {
    if (this.collecting || this.stopped) return;
    this.collecting = this.collect().finally(() => (this.collecting = null));
  }

  private async collect(): Promise<void> {
    for (;;) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.stopped) return;
      const keep = new Set([this.live, this.store.rebuilds.unfinished()?.gen]);
      const gen = this.store.generations().find((g) => !keep.has(g));
      if (gen === undefined) return;
      this.store.transaction(() => this.store.dropSome(gen, inboxGroup(gen), COLLECT_BATCH));
    }
  }
}
