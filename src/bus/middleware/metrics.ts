import type { DeliveryMetrics } from '../../platform/metrics';
import { REPLAY_HEADER } from '../dead-letters/operations';
import type { Envelope } from '../envelope';
import type { SubscriptionInfo, SubscriptionMiddleware } from '../ports';

export interface DeliveryMetricsSource {
  delivery(group: string, type: string): DeliveryMetrics;
}

/**
 * Right inside correlation: counts what each delivery came to (handled, retried at once or later,
 * dead-lettered, replayed) and how long it took, per consumer group and message type. The label children
 * are made with the subscription, so a delivery only adds to numbers. A type the group never subscribed
 * to (a poison message) counts under `other`, so labels stay bounded.
 */
export const metrics = (source: DeliveryMetricsSource): SubscriptionMiddleware => {
  const byGroup = ({ group, types }: SubscriptionInfo) => {
    const byType = new Map(types.map((t) => [t, source.delivery(group, t)]));
    let other: DeliveryMetrics | null = null;
    return (type: string) => byType.get(type) ?? (other ??= source.delivery(group, 'other'));
  };
  const middleware: SubscriptionMiddleware = (subscription) => {
    const metricsOf = byGroup(subscription);
    return (next) => (d) => {
      const m = metricsOf(d.envelope.type);
      // In the first round every try counts, a batch path's one before the chain included.
      const triesBefore = d.round === 0 ? 0 : d.tries;
      const start = performance.now();
      return next(d).then((s) => {
        m.duration.observe((performance.now() - start) / 1000);
        const invocations = d.tries - triesBefore;
        if (invocations > 1) m.retriedImmediately.inc(invocations - 1);
        if (d.round === 0 && d.envelope.headers[REPLAY_HEADER] !== undefined) m.replayed.inc();
        if (s.kind === 'ack') m.handled.inc();
        else if (s.kind === 'retry') m.retriedLater.inc();
        else m.deadLettered.inc();
        return s;
      });
    };
  };
  // A message handled on the batch path (never a replay, handled on its first try) counts as the chain would count it.
  return Object.assign(middleware, {
    batchHooks: (subscription: SubscriptionInfo) => {
      const metricsOf = byGroup(subscription);
      return {
        handled(e: Envelope, seconds: number) {
          const m = metricsOf(e.type);
          m.duration.observe(seconds);
          m.handled.inc();
        },
      };
    },
  });
};
