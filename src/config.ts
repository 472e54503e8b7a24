import { z } from 'zod';

const int = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);
const otlpProtocol = z.enum(['http/protobuf', 'http/json'], 'OTLP traces are exported over HTTP: use http/protobuf (the default) or http/json (grpc is not built in)');

/** Every setting comes from the environment and is checked here; a bad value stops the start with a clear message. */
export const configSchema = z.object({
  PORT: int(3000, 0).refine((p) => p <= 65_535, 'PORT must be 0..65535'),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('data'),
  BUS: z.enum(['memory', 'rabbitmq']).default('memory'),
  RABBITMQ_URL: z.string().regex(/^amqps?:\/\//, 'RABBITMQ_URL must start with amqp:// or amqps://').default('amqp://guest:guest@127.0.0.1:5672'),
  /** Prefix of exchange and queue names: separate deployments on one broker use different ones. */
  RABBITMQ_PREFIX: z.string().regex(/^[a-zA-Z0-9._-]+$/, 'RABBITMQ_PREFIX may hold letters, digits, dot, dash and underscore').default('consistency'),
  /** Unacknowledged AMQP messages per consumer group and process. Low on purpose: a message may carry up to 100 envelopes, and what a consumer holds stays alive across collections (docs/adr/0009). */
  RABBITMQ_PREFETCH: int(8, 1),
  /** choreography: the modules react to each other's events; orchestration: a process manager (saga.db) sends them commands. */
  SAGA_MODE: z.enum(['choreography', 'orchestration'], { error: 'SAGA_MODE must be one of: choreography, orchestration' }).default('choreography'),
  /** on: the read model (data/read-model.db) follows both modules' events and serves `overview.*`; off: it is not built (the bench compares). */
  READ_MODEL: z.enum(['on', 'off'], { error: 'READ_MODEL must be on or off' }).default('on'),
  /** on: the writes of the groups that only record (the read model, the choreography saga observer) run on a writer thread (the other core); off: on the app's thread. */
  WRITER_THREAD: z.enum(['on', 'off'], { error: 'WRITER_THREAD must be on or off' }).default('on'),
  /** Events per source folded in one transaction of a read-model rebuild. */
  READ_MODEL_REBUILD_BATCH: int(500, 1),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** How long a PENDING reservation waits for its payment before it is cancelled with PAYMENT_TIMEOUT. */
  PAYMENT_DEADLINE_MS: int(120_000, 1),
  RETRY_IMMEDIATE: int(2),
  RETRY_DELAYED: int(5),
  RETRY_BASE_MS: int(1_000, 1),
  RETRY_MAX_MS: int(60_000, 1),
  RELAY_POLL_MS: int(5_000, 10),
  /** Simulated provider's added latency per call. */
  PROVIDER_LATENCY_MS: int(0),
  /** Largest accepted request body; bigger ones are refused before parsing. */
  MAX_BODY_BYTES: int(100_000, 1_024),
  /** How often the consistency auditor runs in the app (0: never; `npm run audit` or admin.audit.run() still work). A run reads every record, a page at a time with a turn of the event loop between pages. */
  AUDIT_INTERVAL_MS: int(600_000),
  /** Reservations the auditor reads per page (with every module's records for them): its memory is bounded by this, not by the data. */
  AUDIT_PAGE_SIZE: int(2_000, 1),
  /** Forget inbox records of messages older than this (0: keep them forever, the default). Must outlast every redelivery: docs/operations.md. */
  INBOX_RETENTION_MS: int(0),
  /** A client must send its whole request within this long (then 408 and the connection is closed). */
  HTTP_REQUEST_TIMEOUT_MS: int(30_000, 100),
  /** ...and its headers within this long. */
  HTTP_HEADERS_TIMEOUT_MS: int(10_000, 100),
  /** Bearer token for admin procedures; `npm start` generates and prints one when unset. */
  ADMIN_TOKEN: z.string().min(16, 'ADMIN_TOKEN must be at least 16 characters').optional(),
  // Observability (docs/observability.md).
  /** Prometheus metrics at GET /metrics; off also takes the counters off the hot path. */
  METRICS: z.enum(['on', 'off']).default('on'),
  /** When set, GET /metrics needs "Authorization: Bearer <METRICS_TOKEN>". */
  METRICS_TOKEN: z.string().min(16, 'METRICS_TOKEN must be at least 16 characters').optional(),
  // Tracing reads OpenTelemetry's standard variables. It is off unless an exporter is named or an OTLP
  // endpoint is given; the SDK itself reads the rest (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES,
  // OTEL_TRACES_SAMPLER, OTEL_BSP_*, OTEL_EXPORTER_OTLP_HEADERS / _TIMEOUT …).
  OTEL_SDK_DISABLED: z.stringbool().default(false),
  OTEL_TRACES_EXPORTER: z
    .string()
    .transform((s) => s.split(',').map((e) => e.trim()).filter((e) => e !== ''))
    .pipe(z.array(z.enum(['otlp', 'console', 'none'], 'OTEL_TRACES_EXPORTER may list otlp, console or none (comma-separated)')))
    .optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url().optional(),
  OTEL_EXPORTER_OTLP_PROTOCOL: otlpProtocol.optional(),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: otlpProtocol.optional(),
});
export type Config = z.output<typeof configSchema>;

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`invalid configuration:\n${problems}`);
  }
  return parsed.data;
}
