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
  /** The error's name (`ProviderUnavailableError`). */
  errorType: z.string(),
  /** Which failure group it belongs to (see fingerprint.ts). */
  fingerprint: z.string(),
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
  fingerprint: z.string().min(1).max(100).optional(),
  cursor: z.string().min(1).optional(),
  limit: z.number().int().min(1).max(500).default(50),
});
export type DeadLetterFilter = z.input<typeof deadLetterFilterSchema>;

export interface DeadLetterPage {
  items: DeadLetter[];
  nextCursor: string | null;
}

/** Open dead letters that failed the same way (same fingerprint), as the admin API lists them. */
export const deadLetterGroupSchema = z.object({
  fingerprint: z.string(),
  /** Open dead letters with this fingerprint. */
  count: z.number().int(),
  firstSeen: z.iso.datetime(),
  lastSeen: z.iso.datetime(),
  group: z.string(),
  type: z.string(),
  errorType: z.string(),
  /** The most recent one. */
  sampleId: z.string(),
  sampleMessage: z.string(),
  /** The normalised frames the fingerprint was made of. */
  frames: z.array(z.string()),
});
export type DeadLetterGroup = z.infer<typeof deadLetterGroupSchema>;

/**
 * Where messages that used up their retries (or could never succeed) are kept for an operator.
 * One record per (group, message): failing again after a replay updates the same record.
 */
export interface DeadLetterStore {
  add(input: DeadLetterInput): void;
  list(filter: DeadLetterFilter): DeadLetterPage;
  get(id: string): DeadLetter | null;
  /** Open dead letters grouped by fingerprint, most recently failed group first. */
  groups(): DeadLetterGroup[];
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
