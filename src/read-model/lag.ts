import type { Clock } from '../platform/clock';
import { SOURCE_NAMES, type EventSource, type SourceName } from './event-source';

/** How far the live generation trails the sources: events published and not applied, and the age of the oldest of them. */
export interface Lag {
  events: number;
  ms: number;
}

export interface SourceCheckpoint {
  name: SourceName;
  /** False when another process runs the module (split mode): its head is not known here. */
  available: boolean;
  applied: number;
  head: number | null;
  behind: number | null;
}

/**
 * Lag from counts, no per-event bookkeeping: a source's positions grow by one per event, so it holds
 * `head - base` events (`base`: the position before its first one); the checkpoint says how many were
 * applied. The oldest unapplied event is at most the one right after that many: its age is `ms`, exact
 * when events arrive in order and a lower bound otherwise. Events of a type the read model does not fold
 * stay counted, which is right: they are not in it.
 */
export class LagMeter {
  private readonly base = new Map<SourceName, number>();

  constructor(
    private readonly sources: readonly EventSource[],
    private readonly clock: Clock,
  ) {}

  measure(applied: Partial<Record<SourceName, number>>): { lag: Lag; sources: SourceCheckpoint[] } {
    let events = 0;
    let ms = 0;
    const out: SourceCheckpoint[] = [];
    for (const name of SOURCE_NAMES) {
      const done = applied[name] ?? 0;
      const source = this.sources.find((s) => s.name === name);
      if (!source) {
        out.push({ name, available: false, applied: done, head: null, behind: null });
        continue;
      }
      const head = source.head();
      const base = this.baseOf(source);
      const behind = base === null ? 0 : Math.max(0, head - base - done);
      out.push({ name, available: true, applied: done, head, behind });
      if (behind === 0 || base === null) continue;
      events += behind;
      const oldest = source.read(base + done, 1)[0];
      if (oldest) ms = Math.max(ms, this.clock.now() - Date.parse(oldest.envelope.occurredAt));
    }
    return { lag: { events, ms: Math.max(0, ms) }, sources: out };
  }

  private baseOf(source: EventSource): number | null {
    const known = this.base.get(source.name);
    if (known !== undefined) return known;
    const first = source.read(0, 1)[0];
    if (!first) return null;
    this.base.set(source.name, first.position - 1);
    return first.position - 1;
  }
}
