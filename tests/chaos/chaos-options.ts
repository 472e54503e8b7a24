import { z } from 'zod';
import { SAGA_MODES } from '../../src/saga/definition';

/** The chaos run's settings: `npm run chaos -- --minutes 10 --seed 7 --mode orchestration`, or the test's. */
export const chaosOptionsSchema = z
  .object({
    /** How long the load and the faults last; healing, convergence and the checks come after. */
    minutes: z.coerce.number({ error: 'must be a number of minutes, e.g. 10 or 0.5' }).positive('must be a positive number of minutes (fractions allowed, e.g. 0.5)'),
    seed: z.coerce.number().int().min(0, 'must be a whole number ≥ 0').default(1),
    mode: z.enum(SAGA_MODES, { error: `must be one of: ${SAGA_MODES.join(', ')}` }).default('choreography'),
    /** Creates per second, open loop. */
    rate: z.coerce.number().positive('must be a positive number of creates per second').default(20),
    rabbitmqUrl: z.string().regex(/^amqp:\/\/[^/]+/, 'must look like amqp://user:pass@host:port').default('amqp://guest:guest@127.0.0.1:5672'),
    /** rabbitmqctl's `-n`: which node's app is stopped and started (default: rabbitmqctl's own default). */
    rabbitmqNode: z.string().min(1).optional(),
    paymentDeadlineMs: z.coerce.number().int().min(1_000, 'must be at least 1000').default(15_000),
    convergeTimeoutMs: z.coerce.number().int().min(1_000, 'must be at least 1000').default(180_000),
    /** Keep the data folder even when every check passed (it is always kept when one fails). */
    keepData: z.boolean().default(false),
  })
  .strict();
export type ChaosOptions = z.output<typeof chaosOptionsSchema>;
export type ChaosInput = z.input<typeof chaosOptionsSchema>;
