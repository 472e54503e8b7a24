import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { ConsoleSpanExporter } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config';
import { exportersFromConfig } from './tracing';

const exporters = (env: Record<string, string>) => exportersFromConfig(loadConfig(env)).map((e) => e.constructor);

describe('tracing from the standard OTEL_* variables', () => {
  it('is off unless an exporter is named or an OTLP endpoint is set', () => {
    expect(exporters({})).toEqual([]);
    expect(exporters({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).toEqual([OtlpProtobufExporter]);
    expect(exporters({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })).toEqual([OtlpJsonExporter]);
    expect(exporters({ OTEL_TRACES_EXPORTER: 'console, otlp' })).toEqual([ConsoleSpanExporter, OtlpProtobufExporter]);
  });

  it('is off with none or OTEL_SDK_DISABLED, whatever else is set', () => {
    expect(exporters({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).toEqual([]);
    expect(exporters({ OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp' })).toEqual([]);
  });

  it('refuses what it cannot do, saying what is allowed', () => {
    expect(() => loadConfig({ OTEL_TRACES_EXPORTER: 'zipkin' })).toThrow(/OTEL_TRACES_EXPORTER may list otlp, console or none/);
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(/http\/protobuf \(the default\) or http\/json/);
  });
});
