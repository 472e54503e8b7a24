import type { Envelope } from '../../../bus/envelope';
import { EnvelopeCache } from '../../../bus/outbox/envelope-cache';
import type { OutboxBacklogSource, OutboxSource, PendingMessage } from '../../../bus/outbox/outbox';
import { Upcasters } from '../../../bus/upcasters';
import { ConflictError } from '../../../platform/errors';
import type { Db } from '../../../platform/sqlite';
import { reservationContracts } from '../contracts/events';
import type { ReservationEvent } from '../domain/reservation';

/** Events after the relay's checkpoint. */
const UNDISPATCHED = 'position > (SELECT position FROM relay_checkpoint WHERE id = 1)';

/** `reservation.ReservationCreated` → `ReservationCreated`. */
const domainType = (type: string) => type.slice(type.indexOf('.') + 1) as ReservationEvent['type'];

/** The domain event an envelope of this module carries (lifted to the current contract versions first). */
export const domainEvent = (e: Envelope): ReservationEvent => ({ type: domainType(e.type), data: e.payload }) as ReservationEvent;

/** One event of a stream as it is read back. */
export interface StoredEvent {
  version: number;
  /** Lifted to the contract version this module writes now. */
  envelope: Envelope;
  /** The contract version the row was written with (older than `envelope.version` when it was lifted). */
  storedVersion: number;
}

/**
 * Append-only streams with optimistic concurrency: (stream_id, version) is unique, so two writers that
 * read the same version cannot both append. The same table is the module's outbox: rows are published
 * as they were written (a consumer lifts an older version itself), and read back here lifted to the
 * versions the module writes now, so streams written before a contract's new version still fold.
 */
export class EventStore implements OutboxSource, OutboxBacklogSource {
  private readonly readStream;
  private readonly insert;
  private readonly readPending;
  private readonly readOne;
  private readonly loadOne = (position: number): string => this.readOne.get(position) as string;
  private readonly checkpoint;
  private readonly countPending;
  private readonly oldestPending;
  private readonly readAfter;
  private readonly last;
  private readonly cache = new EnvelopeCache();
  private readonly upcasters = new Upcasters(reservationContracts);
  /** Streams appended to since the module last asked (see takeAppended). */
  private appended = new Set<string>();

  constructor(private readonly db: Db) {
    this.readStream = db
      .prepare<[string, number], [version: number, envelope: string]>('SELECT version, envelope FROM events WHERE stream_id = ? AND version > ? ORDER BY version')
      .raw();
    this.insert = db.prepare('INSERT INTO events (stream_id, version, type, envelope) VALUES (?, ?, ?, ?)');
    // Positions and identities only, as raw rows (arrays, cheaper to build): the envelopes this process wrote come from the cache.
    this.readPending = db
      .prepare<[number, number], [position: number, streamId: string]>(
        'SELECT position, stream_id FROM events WHERE position > MAX(?, (SELECT position FROM relay_checkpoint WHERE id = 1)) ORDER BY position LIMIT ?',
      )
      .raw();
    this.readOne = db.prepare<[number], string>('SELECT envelope FROM events WHERE position = ?').pluck();
    this.checkpoint = db.prepare('UPDATE relay_checkpoint SET position = ? WHERE id = 1 AND position < ?');
    this.countPending = db.prepare<[], number>(`SELECT COUNT(*) FROM events WHERE ${UNDISPATCHED}`).pluck();
    this.oldestPending = db.prepare<[], string>(`SELECT json_extract(envelope, '$.occurredAt') FROM events WHERE ${UNDISPATCHED} ORDER BY position LIMIT 1`).pluck();
    this.readAfter = db.prepare<[number, number], [position: number, envelope: string]>('SELECT position, envelope FROM events WHERE position > ? ORDER BY position LIMIT ?').raw();
    this.last = db.prepare<[], number | null>('SELECT MAX(position) FROM events').pluck();
    this.cache.opened(this.lastPosition()); // a previous run's events, left undispatched by a crash, are read
  }

  /** The stream's envelopes, lifted to the current versions, in order (the auditor redelivers them to a consumer that lost them). */
  envelopesOf(streamId: string): Envelope[] {
    return this.read(streamId).map((e) => e.envelope);
  }

  /** The stream's events after `afterVersion` (0: all), in order. */
  read(streamId: string, afterVersion = 0): StoredEvent[] {
    return this.readStream.all(streamId, afterVersion).map(([version, json]) => {
      const stored = JSON.parse(json) as Envelope;
      return { version, envelope: this.upcasters.lift(stored), storedVersion: stored.version };
    });
  }

  load(streamId: string): { events: ReservationEvent[]; version: number } {
    const rows = this.read(streamId);
    const events = rows.map((r) => domainEvent(r.envelope));
    return { events, version: rows.length === 0 ? 0 : (rows[rows.length - 1] as StoredEvent).version };
  }

  /**
   * The streams appended to since the last call, for "this reservation changed" notifications after a
   * commit. A rolled-back append is in it too: a listener then reads and finds nothing new.
   */
  takeAppended(): Iterable<string> {
    if (this.appended.size === 0) return [];
    const taken = this.appended;
    this.appended = new Set();
    return taken;
  }

  /** Must run inside the caller's transaction. */
  append(streamId: string, expectedVersion: number, envelopes: readonly Envelope[]): void {
    this.appended.add(streamId);
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
    // Nothing appended since the relay's last read (the outbox's pending says why).
    if (afterSeq > 0 && afterSeq >= this.cache.newest) return [];
    return this.readPending.all(afterSeq, limit).map(([position, streamId]) => ({ seq: position, envelope: this.cache.read(position, streamId, this.loadOne) }));
  }

  /** Every event after `afterPosition`, published or not, in commit order (a read model's rebuild feed). */
  after(afterPosition: number, limit: number): Array<{ position: number; envelope: Envelope }> {
    // Lifted to the current contract versions, like every other read of the stream.
    return this.readAfter.all(afterPosition, limit).map(([position, json]) => ({ position, envelope: this.upcasters.lift(JSON.parse(json) as Envelope) }));
  }

  /** The newest event's position, 0 while there is none. */
  lastPosition(): number {
    return this.last.get() ?? 0;
  }

  markDispatched(seq: number): void {
    this.checkpoint.run(seq, seq);
    this.cache.forgetUpTo(seq);
  }

  /** Events after the relay's checkpoint: the stream's part still owed to the bus. */
  backlog(): { messages: number; oldestOccurredAt: string | null } {
    return { messages: this.countPending.get() ?? 0, oldestOccurredAt: this.oldestPending.get() ?? null };
  }
}
