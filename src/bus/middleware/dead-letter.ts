import type { Clock } from '../../platform/clock';
import type { DeadLetterStore } from '../dead-letters/store';
import { toError } from '../errors';
import type { Envelope } from '../envelope';
import type { Delivery, Middleware, Settlement } from '../ports';

const DEAD: Settlement = { kind: 'dead-lettered' };

export type DeadLetterListener = (failure: { group: string; envelope: Envelope; error: string; attempts: number }) => void;

/**
 * Catches what the retry layer gave up on (retries used up, or a non-retryable error) and stores it with
 * its error, attempts and timestamps. Nothing is dropped silently: if the store itself fails, the error
 * propagates and the transport keeps the message for a later try. (A rejection handler on the chain's
 * promise, not an async function: the success path passes through with one promise.)
 */
export const deadLetter =
  (store: DeadLetterStore, clock: Clock, onDeadLettered?: DeadLetterListener): Middleware =>
  (next) => {
    const bury = (d: Delivery, thrown: unknown): Settlement => {
      const error = toError(thrown);
      const now = clock.now();
      store.add({ group: d.group, envelope: d.envelope, error, attempts: d.tries, firstFailedAt: d.firstFailedAt ?? now, lastFailedAt: now });
      d.log.warn({ err: { name: error.name, message: error.message }, attempts: d.tries }, 'message dead-lettered');
      try {
        onDeadLettered?.({ group: d.group, envelope: d.envelope, error: error.message, attempts: d.tries });
      } catch (listenerError) {
        d.log.error({ err: listenerError }, 'a dead-letter listener failed; the dead letter itself is stored');
      }
      return DEAD;
    };
    return (d) => {
      let settled: Promise<Settlement>;
      try {
        settled = next(d);
      } catch (thrown) {
        settled = Promise.reject(thrown);
      }
      return settled.then(undefined, (thrown: unknown) => bury(d, thrown));
    };
  };
