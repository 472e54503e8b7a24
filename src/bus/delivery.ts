import type { Logger } from '../platform/logger';
import type { Envelope } from './envelope';
import type { Delivery } from './ports';

/**
 * The Delivery transports hand to the handler chain. Its logger carries the message's id, type, group,
 * correlation and causation ids, the attempt (handler invocations so far, across rounds) and, with
 * tracing on, the trace and span ids of its process span. It is built on first use only: most deliveries
 * log nothing, and a child logger per message was a measurable cost on the hot path. Assigning `log`
 * sets the logger it derives from.
 */
export class BusDelivery implements Delivery {
  payload?: unknown;
  upcast?: Envelope;
  traceIds?: { trace_id: string; span_id: string };
  private base: Logger;
  private correlated: Logger | null = null;
  /** The attempt the correlated logger names: a retry inside the same delivery gets a fresh one. */
  private loggedAttempt = 0;
  private loggedTrace: BusDelivery['traceIds'];

  constructor(
    readonly envelope: Envelope,
    readonly group: string,
    readonly round: number,
    public tries: number,
    public firstFailedAt: number | null,
    base: Logger,
    readonly decodeError?: string,
  ) {
    this.base = base;
  }

  get log(): Logger {
    if (this.correlated === null || this.loggedAttempt !== this.tries || this.loggedTrace !== this.traceIds) {
      const e = this.envelope;
      this.loggedAttempt = this.tries;
      this.loggedTrace = this.traceIds;
      this.correlated = this.base.child({ group: this.group, messageId: e.id, type: e.type, correlationId: e.correlationId, causationId: e.causationId, attempt: this.tries, ...this.traceIds });
    }
    return this.correlated;
  }

  set log(logger: Logger) {
    this.base = logger;
    this.correlated = null;
  }
}
