import { propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor, type BufferConfig, type Sampler, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { Config } from '../config';
import { activeTracer, setActiveTracer } from './tracer';

type TracingConfig = Pick<
  Config,
  'OTEL_SDK_DISABLED' | 'OTEL_TRACES_EXPORTER' | 'OTEL_EXPORTER_OTLP_ENDPOINT' | 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' | 'OTEL_EXPORTER_OTLP_PROTOCOL' | 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'
>;

export interface TracingOptions {
  /** service.name unless OTEL_SERVICE_NAME (or OTEL_RESOURCE_ATTRIBUTES) says otherwise. */
  serviceName: string;
  /** Export here instead of what the environment names (tests, the bench: an InMemorySpanExporter). */
  exporter?: SpanExporter;
  /** `simple` hands each span to the exporter as it ends (tests read them at once); default `batch`. */
  processor?: 'simple' | 'batch';
  /** Batch processor settings over OTEL_BSP_* (the bench raises the queue so that no span is dropped). */
  batch?: BufferConfig;
  /** Instead of OTEL_TRACES_SAMPLER (default: parent-based, always on). */
  sampler?: Sampler;
}

export interface Tracing {
  forceFlush(): Promise<void>;
  /** Flushes, stops the SDK and unregisters it from the API: spans are no longer written. */
  shutdown(): Promise<void>;
}

/**
 * The exporters the standard variables ask for. Tracing is off (none) unless OTEL_TRACES_EXPORTER names
 * one or an OTLP endpoint is set; OTEL_SDK_DISABLED=true turns it off whatever else is set.
 */
export function exportersFromConfig(c: TracingConfig): SpanExporter[] {
  if (c.OTEL_SDK_DISABLED) return [];
  const endpoint = c.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? c.OTEL_EXPORTER_OTLP_ENDPOINT;
  const names = c.OTEL_TRACES_EXPORTER ?? (endpoint ? ['otlp'] : []);
  if (names.includes('none')) return [];
  const protocol = c.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? c.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf';
  // The OTLP exporters read the endpoint, headers, timeout and compression from the same variables.
  return [...new Set(names)].map((name) =>
    name === 'console' ? new ConsoleSpanExporter() : protocol === 'http/json' ? new OtlpJsonExporter() : new OtlpProtobufExporter(),
  );
}

/**
 * Sets up the OpenTelemetry SDK for this process, or returns null when tracing is off. Only the
 * composition root calls it; everything else writes spans through `@opentelemetry/api` (see tracer.ts).
 * W3C trace context is the propagator: `traceparent` / `tracestate` in HTTP and envelope headers.
 */
export function startTracing(config: TracingConfig, options: TracingOptions): Tracing | null {
  const exporters = options.exporter ? [options.exporter] : exportersFromConfig(config);
  if (exporters.length === 0) return null;
  // The SDK registers process-wide globals (tracer provider, context manager, propagator).
  if (activeTracer()) throw new Error('tracing is already running in this process: one traced App at a time (stop the other one first)');
  const resource = defaultResource()
    .merge(resourceFromAttributes({ 'service.name': options.serviceName }))
    .merge(detectResources({ detectors: [envDetector] }));
  const provider = new NodeTracerProvider({
    resource,
    ...(options.sampler ? { sampler: options.sampler } : {}),
    spanProcessors: exporters.map((e) => (options.processor === 'simple' ? new SimpleSpanProcessor(e) : new BatchSpanProcessor(e, options.batch))),
  });
  // No context manager: trace context is passed explicitly (bus/message-tracing.ts says why).
  provider.register({ propagator: new W3CTraceContextPropagator(), contextManager: null });
  setActiveTracer(provider.getTracer('consistency-lab'));
  let stopped = false;
  return {
    forceFlush: () => provider.forceFlush(),
    async shutdown() {
      if (stopped) return;
      stopped = true;
      setActiveTracer(null);
      await provider.shutdown();
      trace.disable();
      propagation.disable();
    },
  };
}
