import type { PublishMetrics } from '../../platform/metrics';
import type { Publisher } from './relay';

/**
 * Wraps what a relay publishes through: the latency of each batch publish, and the messages published
 * (counted once the transport took responsibility for them).
 */
export const meteredPublisher =
  (metrics: PublishMetrics) =>
  (next: Publisher): Publisher => ({
    async publish(envelopes) {
      const start = performance.now();
      await next.publish(envelopes);
      metrics.latency.observe((performance.now() - start) / 1000);
      for (const e of envelopes) metrics.published(e.type).inc();
    },
  });
