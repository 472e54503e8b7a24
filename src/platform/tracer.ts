import type { Tracer } from '@opentelemetry/api';

let current: Tracer | null = null;

/**
 * The tracer spans are written with, or null while no OpenTelemetry SDK runs in this process (the
 * default). Code outside the composition root uses the API only and checks this first, so with tracing
 * off no span, attribute object or trace header is ever built on the hot path. It is looked up per call,
 * not kept in a module constant: the API's proxy tracer caches its first delegate, which would outlive an
 * SDK that was shut down and started again (tests, the bench).
 */
export const activeTracer = (): Tracer | null => current;

/** Only platform/tracing.ts calls this, when it registers or shuts down the SDK. */
export function setActiveTracer(tracer: Tracer | null): void {
  current = tracer;
}
