import type { Logger } from '../../platform/logger';
import type { Middleware } from '../ports';

/**
 * Outermost: every log line written while handling carries the message's correlation and causation ids.
 * The child logger is made on first use only: most deliveries log nothing, and building one per message
 * is a measurable cost on the hot path.
 */
export const correlation =
  (log: Logger): Middleware =>
  (next) =>
  (d) => {
    const e = d.envelope;
    let child: Logger | null = null;
    Object.defineProperty(d, 'log', {
      configurable: true,
      enumerable: true,
      get: () => (child ??= log.child({ group: d.group, messageId: e.id, type: e.type, correlationId: e.correlationId, causationId: e.causationId })),
    });
    return next(d);
  };
