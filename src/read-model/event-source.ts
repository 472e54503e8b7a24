import type { Envelope } from '../bus/envelope';

/** The modules whose events the read model joins. */
export const SOURCE_NAMES = ['reservation', 'payment'] as const;
export type SourceName = (typeof SOURCE_NAMES)[number];

export interface SourcedEvent {
  position: number;
  envelope: Envelope;
}

/**
 * One module's event history, as the read model's rebuild reads it (the live feed is the bus). Positions
 * grow by one per event, in commit order, and events are never deleted, so `head()` minus the position
 * before the first event is how many events the module has published or is about to.
 */
export interface EventSource {
  readonly name: SourceName;
  /** Events after `afterPosition` (0: from the first), oldest first, at most `limit`. */
  read(afterPosition: number, limit: number): readonly SourcedEvent[];
  /** The newest event's position, 0 while there is none. */
  head(): number;
}

/** Which source an event comes from: its type is prefixed with the module's name (`payment.PaymentSucceeded`). */
export const sourceOf = (type: string): SourceName | null => {
  const prefix = type.slice(0, type.indexOf('.'));
  return (SOURCE_NAMES as readonly string[]).includes(prefix) ? (prefix as SourceName) : null;
};
