import type { Envelope } from '../../../bus/envelope';
import { EnvelopeCache } from '../../../bus/outbox/envelope-cache';
import type { OutboxSource, PendingMessage } from '../../../bus/outbox/outbox';
import { ConflictError } from '../../../platform/errors';
import type { Db } from '../../../platform/sqlite';
import type { ReservationEvent } from '../domain/reservation';

/** `reservation.ReservationCreated` → `ReservationCreated`. */
const domainType = (type: string) => type.slice(type.indexOf('.') + 1) as ReservationEvent['type'];

/**
 * Append-only streams with optimistic concurrency: (stream_id, version) is unique, so two writers that
 * read the same version cannot both append. The same table is the module's outbox.
 */
export class EventStore implements OutboxSource {
  private readonly readStream;
  private readonly insert;
  private readonly readPending;
  private readonly readOne;
  private readonly loadOne = (position: number): string => this.readOne.get(position) as string;
  private readonly checkpoint;
  private readonly readAfter;
  private readonly last;
  private readonly cache = new EnvelopeCache();

  constructor(private readonly db: Db) {
    this.readStream = db.prepare<[string], { version: number; envelope: string }>('SELECT version, envelope FROM events WHERE stream_id = ? ORDER BY version');
    this.insert = db.prepare('INSERT INTO events (stream_id, version, type, envelope) VALUES (?, ?, ?, ?)');
    // Positions and identities only, as raw rows (arrays, cheaper to build): the envelopes this process wrote come from the cache.
    this.readPending = db
      .prepare<[number, number], [position: number, streamId: string]>(
        'SELECT position, stream_id FROM events WHERE position > MAX(?, (SELECT position FROM relay_checkpoint WHERE id = 1)) ORDER BY position LIMIT ?',
      )
      .raw();
    this.readOne = db.prepare<[number], string>('SELECT envelope FROM events WHERE position = ?').pluck();
    this.checkpoint = db.prepare('UPDATE relay_checkpoint SET position = ? WHERE id = 1 AND position < ?');
    this.readAfter = db.prepare<[number, number], [position: number, envelope: string]>('SELECT position, envelope FROM events WHERE position > ? ORDER BY position LIMIT ?').raw();
    this.last = db.prepare<[], number | null>('SELECT MAX(position) FROM events').pluck();
  }

  load(streamId: string): { events: ReservationEvent[]; version: number } {
    const rows = this.readStream.all(streamId);
    const events = rows.map((r) => {
      const e = JSON.parse(r.envelope) as Envelope;
      return { type: domainType(e.type), data: e.payload } as ReservationEvent;
    });
    return { events, version: rows.length === 0 ? 0 : (rows[rows.length - 1] as { version: number }).version };
  }

  /** Must run inside the caller's transaction. */
  append(streamId: string, expectedVersion: number, envelopes: readonly Envelope[]): void {
    try {
      envelopes.forEach((e, i) => {
        const json = JSON.stringify(e);
        this.cache.remember(Number(this.insert.run(streamId, expectedVersion + i + 1, e.type, json).lastInsertRowid), streamId, e);
      });
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
        throw new ConflictError(`reservation ${streamId} was changed concurrently (expected version ${expectedVersion}); retry the request`);
      }
      throw error;
    }
  }

  pending(afterSeq: number, limit: number): PendingMessage[] {
    return this.readPending.all(afterSeq, limit).map(([position, streamId]) => ({ seq: position, envelope: this.cache.read(position, streamId, this.loadOne) }));
  }

  /** Every event after `afterPosition`, published or not, in commit order (a read model's rebuild feed). */
  after(afterPosition: number, limit: number): Array<{ position: number; envelope: Envelope }> {
    return this.readAfter.all(afterPosition, limit).map(([position, json]) => ({ position, envelope: JSON.parse(json) as Envelope }));
  }

  /** The newest event's position, 0 while there is none. */
  lastPosition(): number {
    return this.last.get() ?? 0;
  }

  markDispatched(seq: number): void {
    this.checkpoint.run(seq, seq);
    this.cache.forgetUpTo(seq);
  }
}
