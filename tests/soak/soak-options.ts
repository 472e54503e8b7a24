import { z } from 'zod';

/** `npm run soak -- --minutes 30 [--rate 1500] [--json]`; `--sample-ms` and `--peak-seconds` exist for the smoke test. */
export const soakOptionsSchema = z
  .object({
    minutes: z.coerce.number({ error: 'must be a number of minutes, e.g. 30 or 0.1' }).positive('must be a positive number of minutes'),
    /** Sagas per second; without it, half the peak measured first. */
    rate: z.coerce.number().positive('must be a positive number of sagas per second').optional(),
    /** How long the peak is measured before the soak, when no rate is given. */
    peakSeconds: z.coerce.number().int().min(1, 'must be a whole number of seconds ≥ 1').default(10),
    /** Test-only: one sample per this many ms instead of one a minute. */
    sampleMs: z.coerce.number().int().min(100, 'must be at least 100 ms').default(60_000),
  })
  .strict();
export type SoakOptions = z.output<typeof soakOptionsSchema>;
export type SoakInput = z.input<typeof soakOptionsSchema>;
