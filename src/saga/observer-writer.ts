import type { Contract, Envelope } from '../bus/envelope';
import { route, type HandlerTable } from '../bus/handler-table';
import type { BatchMessage } from '../bus/ports';
import type { Clock } from '../platform/clock';
import type { ThreadWriterTarget } from '../platform/writer-thread/host';
import type { ThreadWriter } from '../platform/writer-thread/client';
import { applyTrigger } from './apply-trigger';
import { sagaEvents } from './definition';
import { SagaStore } from './infrastructure/saga-store';

/** Choreography's saga observer: a consumer group that records the saga's log and sends nothing. */
export const OBSERVER_GROUP = 'saga-observer';
export const OBSERVER_WRITER = 'saga-observer';

/**
 * One event to apply to its saga instance, as it crosses to the writer thread: a list, not an object.
 * postMessage writes out every key of every object it clones, and this crosses for each of a saga's events;
 * the envelope is taken apart here and put together again on the thread (a parked message keeps it whole).
 */
export type ObserveItem = [
  /** `${type}@${version}` of the definition's event the group received it as. */
  contract: string,
  id: string,
  /** The envelope's version: the handler's envelope, so the contract's own when the delivery lifted an older one. */
  version: number,
  occurredAt: string,
  correlationId: string,
  causationId: string | null,
  key: string,
  /** The envelope's headers, null when it has none (tracing off). */
  headers: Record<string, string> | null,
  /** The handler's envelope's payload (kept whole in a parked message). */
  received: unknown,
  /** The payload the definition reads: the same object on every in-process delivery, so it crosses once. */
  payload: unknown,
  attempt: number,
  /** The app's clock when it was handed over (a fake clock in tests): the step's time. */
  now: number,
];

/** Headers, or null for none: an empty object would cross as one more object to clone. */
function headersOrNull(headers: Record<string, string>): Record<string, string> | null {
  for (const _ in headers) return headers;
  return null;
}

/** The item for a delivered event (exported for its test). */
export function observeItem(contract: string, e: Envelope, payload: unknown, attempt: number, now: number): ObserveItem {
  return [contract, e.id, e.version, e.occurredAt, e.correlationId, e.causationId, e.key, headersOrNull(e.headers), e.payload, payload, attempt, now];
}

/** How an item names its contract across the thread: `${type}@${version}`. */
const keyOf = (c: Contract): string => `${c.type}@${c.version}`;
const byKey = new Map(sagaEvents.map((c) => [keyOf(c), c]));

/**
 * The observer's handlers when its writes run on the writer thread: the group, its retries and dead
 * letters stay here; the inbox claim, the definition's step and the log are written there, in IMMEDIATE
 * transactions of up to 1,000 writes each per message to the thread. After each commit the app's store announces the change
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
      const items = messages.map((m) => observeItem(keys.get(m.contract) as string, m.envelope, m.payload, 1, now));
      return writer.writeMany(items).then((answers) =>
        answers.map((applied, i) => {
          if (applied instanceof Error) return false;
          // As on the single path, a listener that throws fails its own message (retried through the chain), not the batch.
          try {
            if (applied === true) store.changed.notify(((messages[i] as BatchMessage).payload as { reservationId: string }).reservationId);
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
        return writer.write(observeItem(key, m.envelope, m.payload, m.attempt, clock.now())).then((applied) => {
          if (applied) store.changed.notify(reservationId);
        });
      });
    }),
  };
}

/** The thread's side: its own connection to saga.db (the app's connection created the file and its schema). */
export function openObserverTarget(file: string): ThreadWriterTarget {
  const store = SagaStore.open(file, { ownThread: true });
  const observe = ([key, id, version, occurredAt, correlationId, causationId, envelopeKey, headers, received, payload, attempt, now]: ObserveItem): boolean => {
    if (!store.inbox.claim(OBSERVER_GROUP, id)) return false;
    const contract = byKey.get(key);
    if (!contract) throw new Error(`the saga definition has no event ${key}`);
    // In the order createEnvelope gives its fields, so a parked envelope's JSON is what the app would have written.
    const envelope: Envelope = { id, type: contract.type, version, occurredAt, correlationId, causationId, key: envelopeKey, payload: received, headers: headers ?? {} };
    const reservationId = (payload as { reservationId: string }).reservationId;
    applyTrigger(store, 'choreography', false, { envelope, contract, payload, reservationId, attempt }, now);
    return true;
  };
  return {
    writeAll: (items) => store.writeNow(items as ObserveItem[], observe),
    close: () => store.close(),
  };
}
