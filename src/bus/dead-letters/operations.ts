import { iso, type Clock } from '../../platform/clock';
import { ConflictError, NotFoundError } from '../../platform/errors';
import { maskEnvelope, type Envelope } from '../envelope';
import type { Settlement } from '../ports';
import type { DeadLetter, DeadLetterCount, DeadLetterFilter, DeadLetterGroup, DeadLetterPage, DeadLetterStore, ReplayEntry } from './store';

export interface Replayer {
  redeliver(group: string, envelope: Envelope): Promise<Settlement>;
  sensitiveFields(type: string, version: number): readonly string[];
}

/**
 * Marks a replayed envelope with the dead letter's id. It travels with the envelope (to another process
 * on a broker, into a delayed retry), so metrics count the replay and tracing starts a new trace linked to
 * the original one instead of adding to a trace that ended long ago.
 */
export const REPLAY_HEADER = 'x-replay-of';

const OUTCOME: Record<Settlement['kind'], ReplayEntry['outcome']> = {
  ack: 'handled',
  retry: 'retry-scheduled',
  'dead-lettered': 'dead-lettered',
};

/** What an operator does with dead letters: list, get, replay to the one group that failed, discard. */
export class DeadLetterOperations {
  constructor(
    private readonly store: DeadLetterStore,
    private readonly bus: Replayer,
    private readonly clock: Clock,
  ) {}

  list(filter: DeadLetterFilter): DeadLetterPage {
    const page = this.store.list(filter);
    return { ...page, items: page.items.map((d) => this.mask(d)) };
  }

  /** Open dead letters grouped by failure fingerprint (see fingerprint.ts). */
  groups(): DeadLetterGroup[] {
    return this.store.groups();
  }

  get(id: string): DeadLetter {
    return this.mask(this.require(id));
  }

  /** Redelivers the original (unmasked) envelope to its group with a fresh retry budget and records the outcome. */
  async replay(id: string): Promise<{ id: string; outcome: ReplayEntry['outcome'] }> {
    const dl = this.require(id);
    if (dl.status === 'discarded') throw new ConflictError(`dead letter ${id} was discarded; only open or replayed dead letters can be replayed`);
    const settlement = await this.bus.redeliver(dl.group, { ...dl.envelope, headers: { ...dl.envelope.headers, [REPLAY_HEADER]: dl.id } });
    const entry: ReplayEntry = { at: iso(this.clock.now()), outcome: OUTCOME[settlement.kind] };
    this.store.recordReplay(id, entry);
    return { id, outcome: entry.outcome };
  }

  /** Records per group and status, for the dead-letter gauge. */
  countByGroup(): DeadLetterCount[] {
    return this.store.countByGroup();
  }

  discard(id: string): { id: string } {
    this.require(id);
    this.store.discard(id);
    return { id };
  }

  private require(id: string): DeadLetter {
    const dl = this.store.get(id);
    if (!dl) throw new NotFoundError(`no dead letter with id "${id}"`);
    return dl;
  }

  private mask(dl: DeadLetter): DeadLetter {
    return { ...dl, envelope: maskEnvelope(dl.envelope, this.bus.sensitiveFields(dl.type, dl.version)) };
  }
}
