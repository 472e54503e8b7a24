import type { Logger } from '../../platform/logger';
import type { Middleware } from '../ports';

/**
 * Outermost: every log line written while handling carries the message's correlation and causation ids.
 * It hands the bus logger to the delivery, which derives the correlated child from it on first use
 * (see BusDelivery): most deliveries never log, so none is built for them.
 */
export const correlation =
  (log: Logger): Middleware =>
  (next) =>
  (d) => {
    d.log = log;
    return next(d);
  };
