import { z } from 'zod';

const int = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);

/** Every setting comes from the environment and is checked here; a bad value stops the start with a clear message. */
export const configSchema = z.object({
  PORT: int(3000, 0).refine((p) => p <= 65_535, 'PORT must be 0..65535'),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('data'),
  BUS: z.enum(['memory', 'rabbitmq']).default('memory'),
  RABBITMQ_URL: z.string().regex(/^amqps?:\/\//, 'RABBITMQ_URL must start with amqp:// or amqps://').default('amqp://guest:guest@127.0.0.1:5672'),
  /** Prefix of exchange and queue names: separate deployments on one broker use different ones. */
  RABBITMQ_PREFIX: z.string().regex(/^[a-zA-Z0-9._-]+$/, 'RABBITMQ_PREFIX may hold letters, digits, dot, dash and underscore').default('consistency'),
  RABBITMQ_PREFETCH: int(64, 1),
  /** choreography: the modules react to each other's events; orchestration: a process manager (saga.db) sends them commands. */
  SAGA_MODE: z.enum(['choreography', 'orchestration'], { error: 'SAGA_MODE must be one of: choreography, orchestration' }).default('choreography'),
  /** on: the read model (data/read-model.db) follows both modules' events and serves `overview.*`; off: it is not built (the bench compares). */
  READ_MODEL: z.enum(['on', 'off'], { error: 'READ_MODEL must be on or off' }).default('on'),
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
  /** Bearer token for admin procedures; `npm start` generates and prints one when unset. */
  ADMIN_TOKEN: z.string().min(16, 'ADMIN_TOKEN must be at least 16 characters').optional(),
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
