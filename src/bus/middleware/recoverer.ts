import type { Clock } from '../../platform/clock';
import { toError } from '../errors';
import type { Middleware } from '../ports';

/** Counts each handler invocation and turns anything thrown (sync or async, Error or not) into an Error. */
export const recoverer =
  (clock: Clock): Middleware =>
  (next) =>
  async (d) => {
    d.tries++;
    try {
      return await next(d);
    } catch (thrown) {
      d.firstFailedAt ??= clock.now();
      throw toError(thrown);
    }
  };
