import { Inbox } from '../../../bus/inbox/inbox';
import { GroupCommit } from '../../../platform/group-commit';
import { openDatabase, type Db } from '../../../platform/sqlite';
import { EventStore } from './event-store';
import { ReservationView } from './reservation-view';
import { RESERVATION_MIGRATIONS } from './schema';

/** Everything the reservation module keeps in reservation.db, opened once. */
export class ReservationStore {
  readonly events: EventStore;
  readonly view: ReservationView;
  readonly inbox: Inbox;
  private readonly writes: GroupCommit;

  constructor(readonly db: Db) {
    this.events = new EventStore(db);
    this.view = new ReservationView(db);
    this.inbox = new Inbox(db);
    this.writes = new GroupCommit(db);
  }

  static open(file: string): ReservationStore {
    return new ReservationStore(openDatabase(file, RESERVATION_MIGRATIONS));
  }

  /** Runs `fn` in one synchronous SQLite transaction (nothing inside may await). */
  transaction<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
    return this.db.transaction(fn);
  }

  /** Runs `fn` in a savepoint of a transaction shared with the other writes of this event-loop turn (group commit). */
  write<T>(fn: () => T): Promise<T> {
    return this.writes.run(fn);
  }

  close(): void {
    this.writes.flush();
    this.db.close();
  }
}
