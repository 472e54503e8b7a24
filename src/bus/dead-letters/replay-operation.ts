import { z } from 'zod';

export const operationStatus = z.enum(['running', 'completed', 'cancelled', 'failed']);
export type OperationStatus = z.infer<typeof operationStatus>;

/** How one dead letter of a group replay ended. */
export const itemOutcome = z.enum(['handled', 'retry-scheduled', 'skipped', 'failed']);
export type ItemOutcome = z.infer<typeof itemOutcome>;

/** At most this many failures travel with an operation; `failed` still counts them all. */
export const FAILURES_SHOWN = 100;

/**
 * A durable background replay of every open dead letter of one failure group (admin.deadLetters.replayGroup).
 * `done` counts the dead letters processed whatever their outcome, so a finished operation has done = total;
 * `failed` counts those among them that failed again (or could not be replayed).
 */
export const replayOperationSchema = z.object({
  id: z.string(),
  kind: z.literal('replay-group'),
  fingerprint: z.string(),
  group: z.string(),
  type: z.string(),
  errorType: z.string(),
  status: operationStatus,
  total: z.number().int(),
  done: z.number().int(),
  failed: z.number().int(),
  /** The first FAILURES_SHOWN failures: dead letter id and what went wrong. */
  failures: z.array(z.object({ id: z.string(), error: z.string() })),
  /**
   * Dead letters that joined this fingerprint while the operation ran, other than the outcome of the replay
   * it was making at that moment (that one counts in `failed`): new messages failing the same way, or ones
   * it replayed that failed again later. Above zero, the cause is probably not fixed yet.
   */
  newFailuresDuringReplay: z.number().int(),
  startedAt: z.iso.datetime(),
  endedAt: z.iso.datetime().nullable(),
  /** Why the operation itself stopped, when status is `failed`. */
  error: z.string().nullable(),
});
export type ReplayOperation = z.infer<typeof replayOperationSchema>;

export const operationFilterSchema = z.object({
  status: operationStatus.optional(),
  fingerprint: z.string().min(1).max(100).optional(),
  limit: z.number().int().min(1).max(500).default(50),
});
export type OperationFilter = z.input<typeof operationFilterSchema>;
