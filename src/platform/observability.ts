import type { AppMetrics } from './metrics';
import type { ReadinessCheck } from './readiness';
import type { Tracing } from './tracing';

/** What the composition root sets up for one App, and the HTTP server serves: metrics, readiness checks, tracing. */
export interface Observability {
  /** Null with METRICS=off. */
  readonly metrics: AppMetrics | null;
  readonly readiness: readonly ReadinessCheck[];
  /** Null unless the OpenTelemetry variables (or a test) turned tracing on. */
  readonly tracing: Tracing | null;
}
