import type { Logger } from '../../platform/logger';
import type { Middleware } from '../ports';

/** Outermost: every log line written while handling carries the message's correlation and causation ids. */
export const correlation =
  (log: Logger): Middleware =>
  (next) =>
  (d) => {
    const e = d.envelope;
    d.log = log.child({ group: d.group, messageId: e.id, type: e.type, correlationId: e.correlationId, causationId: e.causationId });
    return next(d);
  };
