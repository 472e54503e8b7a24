import { setMessagingSystem } from './bus/message-tracing';
import { metrics as deliveryMetrics } from './bus/middleware/metrics';
import { tracing as deliveryTracing } from './bus/middleware/tracing';
import { meteredPublisher } from './bus/outbox/metered-publisher';
import type { Publisher } from './bus/outbox/relay';
import { tracedPublisher } from './bus/outbox/traced-publisher';
import type { SubscriptionMiddleware } from './bus/ports';
import type { Config } from './config';
import { tracedGateway, type PaymentGateway } from './modules/payment';
import type { Clock } from './platform/clock';
import { AppMetrics } from './platform/metrics';
import { startTracing, type Tracing, type TracingOptions } from './platform/tracing';
import { sagaMetricsFromEvents } from './saga/saga-metrics-from-events';

/**
 * The observability half of the composition root: tracing (off unless OTEL_* or a test asks), metrics
 * (METRICS), their bus middleware, and the wrappers the relays publish through and the gateway is called through.
 */
export function composeObservability(config: Config, serviceName: string, clock: Clock, tracingOverride?: Omit<TracingOptions, 'serviceName'>) {
  const tracing: Tracing | null = startTracing(config, { serviceName, ...tracingOverride });
  const metrics = config.METRICS === 'on' ? new AppMetrics(clock) : null;
  setMessagingSystem(config.BUS);
  const middleware: SubscriptionMiddleware[] = [...(metrics ? [deliveryMetrics(metrics)] : []), ...(tracing ? [deliveryTracing] : [])];
  return {
    tracing,
    metrics,
    middleware,
    gateway: (g: PaymentGateway | null): PaymentGateway | null => (tracing && g ? tracedGateway(g) : g),
    /** What a relay named `name` publishes through: spans, metrics, and (reservation) saga start/end counting. */
    publisherFor: (name: string, bus: Publisher): Publisher => {
      let publisher = bus;
      if (metrics && name === 'reservation') publisher = sagaMetricsFromEvents(metrics.saga, config.SAGA_MODE)(publisher);
      if (tracing) publisher = tracedPublisher(publisher);
      if (metrics) publisher = meteredPublisher(metrics.publisher(name))(publisher);
      return publisher;
    },
  };
}
