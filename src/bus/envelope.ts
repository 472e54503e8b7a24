import { z } from 'zod';
import type { Contract, PayloadOf } from '../platform/contract';
import { newId } from '../platform/ids';
import { headersForNewMessage } from './message-tracing';

/** The message envelope: what travels on every transport and sits in every outbox row. */
export const envelopeSchema = z.object({
  id: z.string().min(1),
  type: z.string().min(1),
  version: z.number().int().min(1),
  occurredAt: z.iso.datetime(),
  correlationId: z.string().min(1),
  causationId: z.string().min(1).nullable(),
  key: z.string().min(1),
  payload: z.unknown(),
  headers: z.record(z.string(), z.string()),
});
export type Envelope = z.infer<typeof envelopeSchema>;

export { defineContract, type Contract, type PayloadOf } from '../platform/contract';

export interface EnvelopeMeta {
  key: string;
  occurredAt: string;
  correlationId?: string;
  causationId?: string | null;
  id?: string;
  headers?: Record<string, string>;
}

const CHECKED = Symbol('checked by contract');

/**
 * The contract that checked this payload when its envelope was created in this process, if any. A
 * consumer subscribed with the very same contract object need not check it again (an in-process
 * delivery hands over the producer's object). Anything that crossed a wire or a database was parsed from
 * JSON, carries no mark and is checked in full.
 */
export function checkedBy(payload: unknown): Contract | undefined {
  return typeof payload === 'object' && payload !== null ? (payload as { [CHECKED]?: Contract })[CHECKED] : undefined;
}

/** Builds an envelope for a contract. The payload is checked here so a producer can't emit what its consumers would refuse. */
export function createEnvelope<C extends Contract>(contract: C, payload: PayloadOf<C>, meta: EnvelopeMeta): Envelope {
  const id = meta.id ?? newId();
  const checked: unknown = contract.schema.parse(payload);
  if (typeof checked === 'object' && checked !== null) {
    // Frozen: consumers in this process share it instead of each getting a parsed copy.
    Object.freeze(Object.defineProperty(checked, CHECKED, { value: contract }));
  }
  const correlationId = meta.correlationId ?? id;
  const causationId = meta.causationId ?? null;
  return {
    id,
    type: contract.type,
    version: contract.version,
    occurredAt: meta.occurredAt,
    correlationId,
    causationId,
    key: meta.key,
    payload: checked,
    // With tracing on, the trace context of the message's creation (see message-tracing.ts).
    headers: headersForNewMessage({ type: contract.type, id, correlationId, causationId }, meta.headers),
  };
}

/** Correlation for a message caused by `parent`: same correlation id, causation = the parent's id. */
export function causedBy(parent: Pick<Envelope, 'id' | 'correlationId'>): { correlationId: string; causationId: string } {
  return { correlationId: parent.correlationId, causationId: parent.id };
}

/** A copy of the envelope whose sensitive payload fields are masked, for views only (never for delivery). */
export function maskEnvelope(envelope: Envelope, sensitive: readonly string[]): Envelope {
  const p = envelope.payload;
  if (sensitive.length === 0 || typeof p !== 'object' || p === null || Array.isArray(p)) return envelope;
  const masked: Record<string, unknown> = { ...(p as Record<string, unknown>) };
  for (const field of sensitive) if (field in masked) masked[field] = '***';
  return { ...envelope, payload: masked };
}
