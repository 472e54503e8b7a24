import type { Logger } from '../platform/logger';
import type { Envelope } from './envelope';
import type { Delivery } from './ports';

/**
 * The Delivery transports hand to the handler chain. Its logger carries the message's correlation and
 * causation ids, and is built on first use only: most deliveries log nothing, and a child logger per
 * message was a measurable cost on the hot path. Assigning `log` sets the logger it derives from.
 */
export class BusDelivery implements Delivery {
  payload?: unknown;
  upcast?: Envelope;
  private base: Logger;
  private correlated: Logger | null = null;

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
    const e = this.envelope;
    return (this.correlated ??= this.base.child({ group: this.group, messageId: e.id, type: e.type, correlationId: e.correlationId, causationId: e.causationId }));
  }

  set log(logger: Logger) {
    this.base = logger;
    this.correlated = null;
  }
}
