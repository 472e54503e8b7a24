import type { Clock } from '../../platform/clock';
import { ConflictError, ModuleNotHereError, NotFoundError } from '../../platform/errors';
import { newId } from '../../platform/ids';
import type { Logger } from '../../platform/logger';
import { toError } from '../errors';
import type { DeadLetterOperations } from './operations';
import type { ItemOutcome, OperationFilter, ReplayOperation } from './replay-operation';
import type { ReplayOperationStore } from './replay-operation-store';

/** What a group replay needs of the dead-letter operations: one replay at a time, through the usual path. */
export type LetterReplayer = Pick<DeadLetterOperations, 'get' | 'replay'>;

type ItemResult = { outcome: ItemOutcome; error: string | null };

/**
 * Replays every open dead letter of one failure group in the background, one at a time through
 * `DeadLetterOperations.replay`, and records progress in bus.db after each one, so an operation survives a
 * restart: `start()` resumes the ones still running. As a Part of the App, `idle()` waits for every running
 * operation to end (tests settle instead of polling), and `stop()` lets the replay in flight finish.
 */
export class GroupReplays {
  private readonly loops = new Map<string, Promise<void>>();
  private started = false;
  private stopping = false;

  constructor(
    private readonly store: ReplayOperationStore,
    private readonly letters: LetterReplayer,
    /** Whether this process consumes for a group: only there can its dead letters be replayed. */
    private readonly subscribes: (group: string) => boolean,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  replayGroup(fingerprint: string): { operationId: string } {
    const facts = this.store.facts(fingerprint);
    if (!facts) throw new NotFoundError(`no dead letters with fingerprint "${fingerprint}"; admin.deadLetters.groups lists the fingerprints of open dead letters`);
    if (!this.subscribes(facts.group)) {
      throw new ModuleNotHereError(`consumer group "${facts.group}" is not subscribed in this process, so its dead letters cannot be replayed here; call the process that runs it`);
    }
    const id = newId();
    const created = this.store.create(id, fingerprint, facts, this.clock.now());
    if (created.kind === 'already-running') {
      throw new ConflictError(`operation ${created.id} is already replaying fingerprint "${fingerprint}"; follow it with admin.operations.get or cancel it first`);
    }
    if (created.kind === 'nothing-open') throw new ConflictError(`fingerprint "${fingerprint}" has no open dead letters (all were replayed or discarded); there is nothing to replay`);
    this.log.info({ operationId: id, fingerprint, total: created.total }, 'group replay started');
    this.launch(id);
    return { operationId: id };
  }

  get(id: string): ReplayOperation {
    const op = this.store.get(id);
    if (!op) throw new NotFoundError(`no operation with id "${id}"; admin.operations.list shows the operations there are`);
    return op;
  }

  list(filter: OperationFilter = {}): ReplayOperation[] {
    return this.store.list(filter);
  }

  /** Stops a running operation after the replay in flight; what was replayed stays replayed. Cancelling twice is fine. */
  cancel(id: string): ReplayOperation {
    const op = this.get(id);
    if (op.status === 'running') this.store.finish(id, 'cancelled', this.clock.now());
    const now = this.get(id);
    if (now.status !== 'cancelled') throw new ConflictError(`operation ${id} already ${now.status}; only a running operation can be cancelled`);
    if (op.status === 'running') this.log.info({ operationId: id, done: now.done, total: now.total }, 'group replay cancelled');
    return now;
  }

  /** Resumes the operations a previous run left running, for the groups this process consumes. */
  start(): void {
    this.started = true;
    this.stopping = false;
    for (const op of this.store.runningOperations()) {
      if (!this.subscribes(op.group)) continue;
      this.log.info({ operationId: op.id }, 'resuming group replay');
      this.launch(op.id);
    }
  }

  /** Lets each replay in flight finish and leaves the operations running in bus.db, for the next start. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.idle();
    this.started = false;
  }

  async idle(): Promise<void> {
    while (this.loops.size > 0) await Promise.all(this.loops.values());
  }

  get busy(): boolean {
    return this.loops.size > 0;
  }

  private launch(id: string): void {
    // Before start() the operation waits in bus.db; start() picks it up.
    if (!this.started || this.stopping || this.loops.has(id)) return;
    this.loops.set(
      id,
      this.run(id).finally(() => this.loops.delete(id)),
    );
  }

  private async run(id: string): Promise<void> {
    await null; // never inside replayGroup's call stack: the caller gets its operation id first
    try {
      for (;;) {
        // Read every round: a cancel may come from the API, or from another process sharing bus.db.
        if (this.stopping || this.store.statusOf(id) !== 'running') return;
        const item = this.store.next(id);
        if (!item) {
          if (this.store.finish(id, 'completed', this.clock.now())) this.log.info({ operationId: id }, 'group replay completed');
          return;
        }
        const result = await this.replayOne(id, item.deadLetterId);
        if (result === 'interrupted') return;
        if (!this.store.record(id, item.position, result.outcome, result.error)) {
          this.log.warn({ operationId: id }, 'another runner is ahead on this group replay; leaving it to that one');
          return;
        }
      }
    } catch (thrown) {
      const error = toError(thrown);
      this.log.error({ operationId: id, err: error }, 'group replay failed');
      try {
        this.store.finish(id, 'failed', this.clock.now(), error.message);
      } catch (again) {
        this.log.error({ operationId: id, err: toError(again) }, 'could not mark the group replay failed; it resumes at the next start');
      }
    }
  }

  private async replayOne(id: string, deadLetterId: string): Promise<ItemResult | 'interrupted'> {
    let status;
    try {
      status = this.letters.get(deadLetterId).status;
    } catch (e) {
      if (e instanceof NotFoundError) return { outcome: 'failed', error: `dead letter ${deadLetterId} no longer exists` };
      throw e;
    }
    // Replayed or discarded by someone else since the operation started (or just before a crash).
    if (status !== 'open') return { outcome: 'skipped', error: null };
    this.store.markCurrent(id, deadLetterId);
    try {
      const { outcome } = await this.letters.replay(deadLetterId);
      if (outcome === 'dead-lettered') return { outcome: 'failed', error: this.letters.get(deadLetterId).errorMessage };
      return { outcome, error: null };
    } catch (thrown) {
      // Shutting down: leave the item for the next start rather than record a failure the shutdown caused.
      if (this.stopping) return 'interrupted';
      return { outcome: 'failed', error: toError(thrown).message };
    }
  }
}
