import { z } from 'zod';
import { envelopeSchema, type Envelope } from '../envelope';

export const deadLetterStatus = z.enum(['open', 'replayed', 'discarded']);

export const replayEntrySchema = z.object({ at: z.iso.datetime(), outcome: z.enum(['handled', 'retry-scheduled', 'dead-lettered']) });

/** A dead letter as views and the admin API see it. */
export const deadLetterSchema = z.object({
  id: z.string(),
  group: z.string(),
  messageId: z.string(),
  type: z.string(),
  version: z.number().int(),
  envelope: envelopeSchema,
  errorMessage: z.string(),
  errorStack: z.string().nullable(),
  attempts: z.number().int(),
  firstFailedAt: z.iso.datetime(),
  lastFailedAt: z.iso.datetime(),
  status: deadLetterStatus,
  replays: z.array(replayEntrySchema),
});
export type DeadLetter = z.infer<typeof deadLetterSchema>;
export type ReplayEntry = z.infer<typeof replayEntrySchema>;

export interface DeadLetterInput {
  group: string;
  envelope: Envelope;
  error: Error;
  attempts: number;
  firstFailedAt: number;
  lastFailedAt: number;
}

export const deadLetterFilterSchema = z.object({
  group: z.string().min(1).optional(),
  type: z.string().min(1).optional(),
  status: deadLetterStatus.optional(),
  cursor: z.string().min(1).optional(),
  limit: z.number().int().min(1).max(500).default(50),
});
export type DeadLetterFilter = z.input<typeof deadLetterFilterSchema>;

export interface DeadLetterPage {
  items: DeadLetter[];
  nextCursor: string | null;
}

/**
 * Where messages that used up their retries (or could never succeed) are kept for an operator.
 * One record per (group, message): failing again after a replay updates the same record.
 */
export interface DeadLetterStore {
  add(input: DeadLetterInput): void;
  list(filter: DeadLetterFilter): DeadLetterPage;
  get(id: string): DeadLetter | null;
  recordReplay(id: string, entry: ReplayEntry): void;
  discard(id: string): void;
  /** How many records each group has in each status (metrics). */
  countByGroup(): DeadLetterCount[];
}

export interface DeadLetterCount {
  group: string;
  status: DeadLetter['status'];
  count: number;
}
