import type { Clock } from '../../platform/clock';
import { NonRetryableError, toError } from '../errors';
import type { Delivery, Middleware, RetryPolicy, Settlement } from '../ports';

/** Exponential backoff with full jitter: a random delay in [0, min(cap, base * 2^round)]. */
export function backoffDelay(policy: RetryPolicy, round: number, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** round);
  return Math.floor(random() * ceiling);
}

/**
 * Invokes the handler, counting each invocation (`d.tries`, across rounds) and turning anything thrown
 * (sync or async, Error or not) into an Error. Immediate retries inside one delivery, then a `retry`
 * settlement (the transport redelivers after the backoff, without blocking other messages), then, once
 * the delayed rounds are used up, the error goes up to the dead-letter layer. Non-retryable errors go up
 * at once.
 *
 * The first invocation is a plain promise chain and only a failure enters the async retry loop: an async
 * function per delivery (this layer and the recoverer it absorbed were two) was a measurable share of
 * what the hot path allocates.
 */
export const retry =
  (policy: RetryPolicy, random: () => number, clock: Clock): Middleware =>
  (next) => {
    const invoke = (d: Delivery): Promise<Settlement> => {
      d.tries++;
      try {
        return next(d);
      } catch (thrown) {
        return Promise.reject(thrown);
      }
    };
    const failed = (d: Delivery, thrown: unknown): Error => {
      d.firstFailedAt ??= clock.now();
      return toError(thrown);
    };
    /** After invocation `attempt` (0 = the first) failed with `error`: the rest of the immediate tries, then the verdict. */
    const afterFailure = async (d: Delivery, error: Error, attempt: number): Promise<Settlement> => {
      let last = error;
      for (let i = attempt; ; i++) {
        if (last instanceof NonRetryableError) throw last;
        d.log.debug({ err: { message: last.message }, tries: d.tries }, 'handler failed, retrying');
        if (i >= policy.immediate) break;
        try {
          return await invoke(d);
        } catch (thrown) {
          last = failed(d, thrown);
        }
      }
      if (d.round < policy.delayed) return { kind: 'retry', delayMs: backoffDelay(policy, d.round, random), error: last };
      throw last;
    };
    // In the first round, tries made before the chain (a batch path's, counted in `tries`) are immediate tries too.
    return (d) => {
      const earlier = d.round === 0 ? d.tries : 0;
      return invoke(d).then(undefined, (thrown: unknown) => afterFailure(d, failed(d, thrown), earlier));
    };
  };
