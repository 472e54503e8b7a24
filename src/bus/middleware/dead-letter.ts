import type { Clock } from '../../platform/clock';
import type { DeadLetterStore } from '../dead-letters/store';
import { toError } from '../errors';
import type { Envelope } from '../envelope';
import type { Middleware, Settlement } from '../ports';

const DEAD: Settlement = { kind: 'dead-lettered' };

export type DeadLetterListener = (failure: { group: string; envelope: Envelope; error: string; attempts: number }) => void;

/**
 * Catches what the retry layer gave up on (retries used up, or a non-retryable error) and stores it with
 * its error, attempts and timestamps. Nothing is dropped silently: if the store itself fails, the error
 * propagates and the transport keeps the message for a later try.
 */
export const deadLetter =
  (store: DeadLetterStore, clock: Clock, onDeadLettered?: DeadLetterListener): Middleware =>
  (next) =>
  async (d) => {
    try {
      return await next(d);
    } catch (thrown) {
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
    }
  };
