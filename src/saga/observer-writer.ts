import type { Contract, Envelope } from '../bus/envelope';
import { route, type HandlerTable } from '../bus/handler-table';
import type { Clock } from '../platform/clock';
import type { ThreadWriterTarget } from '../platform/writer-thread/host';
import type { ThreadWriter } from '../platform/writer-thread/client';
import { applyTrigger } from './apply-trigger';
import { sagaEvents } from './definition';
import { SagaStore } from './infrastructure/saga-store';

/** Choreography's saga observer: a consumer group that records the saga's log and sends nothing. */
export const OBSERVER_GROUP = 'saga-observer';
export const OBSERVER_WRITER = 'saga-observer';

/** One event to apply to its saga instance, as it crosses to the writer thread. */
export interface ObserveItem {
  /** `${type}@${version}` of one of the definition's events. */
  contract: string;
  envelope: Envelope;
  payload: unknown;
  reservationId: string;
  attempt: number;
  /** The app's clock when it was handed over (a fake clock in tests): the step's time. */
  now: number;
}

/** How an item names its contract across the thread: `${type}@${version}`. */
const keyOf = (c: Contract): string => `${c.type}@${c.version}`;
const byKey = new Map(sagaEvents.map((c) => [keyOf(c), c]));

/**
 * The observer's handlers when its writes run on the writer thread: the group, its retries and dead
 * letters stay here; the inbox claim, the definition's step and the log are written there, in one
 * IMMEDIATE transaction per message to the thread. After each commit the app's store announces the change
 * (saga.onChange listens to it).
 */
export function threadObserverHandlers(writer: ThreadWriter<ObserveItem, boolean>, store: SagaStore, clock: Clock): HandlerTable {
  const keys = new Map<Contract, string>(sagaEvents.map((c) => [c, keyOf(c)]));
  return {
    group: OBSERVER_GROUP,
    leaf: true,
    // A publish's events in one call (the memory transport): the same writes, without a delivery chain each.
    batch: (messages) => {
      const now = clock.now();
      const items = messages.map((m): ObserveItem => {
        const reservationId = (m.payload as { reservationId: string }).reservationId;
        return { contract: keys.get(m.contract) as string, envelope: m.envelope, payload: m.payload, reservationId, attempt: 1, now };
      });
      return writer.writeMany(items).then((answers) =>
        answers.map((applied, i) => {
          if (applied instanceof Error) return false;
          // As on the single path, a listener that throws fails its own message (retried through the chain), not the batch.
          try {
            if (applied === true) store.changed.notify((items[i] as ObserveItem).reservationId);
          } catch {
            return false;
          }
          return true;
        }),
      );
    },
    routes: sagaEvents.map((contract) => {
      const key = keys.get(contract) as string;
      // A `then`, not an async function: no suspended frame per delivery while the thread commits.
      return route(contract, (m) => {
        const reservationId = (m.payload as { reservationId: string }).reservationId;
        return writer.write({ contract: key, envelope: m.envelope, payload: m.payload, reservationId, attempt: m.attempt, now: clock.now() }).then((applied) => {
          if (applied) store.changed.notify(reservationId);
        });
      });
    }),
  };
}

/** The thread's side: its own connection to saga.db (the app's connection created the file and its schema). */
export function openObserverTarget(file: string): ThreadWriterTarget {
  const store = SagaStore.open(file, { ownThread: true });
  const observe = (i: ObserveItem): boolean => {
    if (!store.inbox.claim(OBSERVER_GROUP, i.envelope.id)) return false;
    const contract = byKey.get(i.contract);
    if (!contract) throw new Error(`the saga definition has no event ${i.contract}`);
    applyTrigger(store, 'choreography', false, { envelope: i.envelope, contract, payload: i.payload, reservationId: i.reservationId, attempt: i.attempt }, i.now);
    return true;
  };
  return {
    writeAll: (items) => store.writeNow(items as ObserveItem[], observe),
    close: () => store.close(),
  };
}
