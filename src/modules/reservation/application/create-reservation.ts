import { createHash } from 'node:crypto';
import { z } from 'zod';
import { iso, type Clock } from '../../../platform/clock';
import { ConflictError } from '../../../platform/errors';
import { DEFAULT_CHANNEL, reservationChannel } from '../contracts/events';
import { newId } from '../../../platform/ids';
import type { ReservationStore } from '../infrastructure/reservation-store';
import type { ReservationRecord } from '../infrastructure/reservation-view';
import { execute } from './execute';

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));
/** Any ISO 8601 instant with an offset; stored normalised to UTC so strings compare as times. */
const instant = z.iso.datetime({ offset: true }).transform((s) => iso(Date.parse(s)));

const fields = z
  .object({
    customerId: z.string().trim().min(1).max(100),
    resourceId: z.string().trim().min(1).max(100),
    startsAt: instant,
    endsAt: instant,
    amount: z
      .number()
      .positive()
      .max(1_000_000_000)
      .refine(Number.isInteger, 'amount must be a whole number of minor units (e.g. cents)'),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'currency must be a three-letter ISO 4217 code in upper case, e.g. EUR')
      .refine((c) => CURRENCIES.has(c), 'currency is not a known ISO 4217 code'),
    paymentToken: z.string().min(1).max(200),
    idempotencyKey: z.string().min(1).max(200).optional(),
    /** Where the reservation is made; 'api' when the caller names none. */
    channel: reservationChannel.default(DEFAULT_CHANNEL),
  })
  .strict();
/** Both ends of the period parsed: the only problems, if any, are in other fields (or extra keys). */
const periodParsed = (issues: readonly z.core.$ZodRawIssue[]): boolean =>
  issues.every((i) => i.code === 'unrecognized_keys' || (i.path !== undefined && i.path.length > 0 && i.path[0] !== 'startsAt' && i.path[0] !== 'endsAt'));

export const createReservationInput = fields.refine((r) => r.endsAt > r.startsAt, {
  path: ['endsAt'],
  message: 'endsAt must be after startsAt',
  // Report the period even when other fields are wrong too, so one answer names every problem. Decided
  // from the issues found so far rather than by parsing the period again (that was ~2% of a saga's CPU).
  when: (payload) => periodParsed(payload.issues),
});
export type CreateReservationInput = z.input<typeof createReservationInput>;

type Parsed = z.output<typeof createReservationInput>;

const fingerprint = (input: Parsed): string => {
  // The default channel is left out, so a request repeated after channels came gives the fingerprint it had before.
  const { idempotencyKey: _key, channel, ...rest } = input;
  return createHash('sha256').update(JSON.stringify(channel === DEFAULT_CHANNEL ? rest : { ...rest, channel })).digest('base64url');
};

/**
 * Holds the slot and opens the saga: one transaction checks the idempotency key and the slot, appends
 * ReservationCreated (which is also the outbox row) and writes the current state.
 */
export function createReservation(store: ReservationStore, clock: Clock, paymentDeadlineMs: number) {
  const run = (input: Parsed, headers: Record<string, string> | undefined): { id: string; created: boolean; record?: ReservationRecord } => {
    if (input.idempotencyKey) {
      const prior = store.view.findIdempotencyKey(input.customerId, input.idempotencyKey);
      if (prior && prior.fingerprint === fingerprint(input)) return { id: prior.reservationId, created: false };
      if (prior) throw new ConflictError(`idempotencyKey "${input.idempotencyKey}" was already used with a different request; use a new key for a new reservation`);
    }
    const clash = store.view.findOverlap(input.resourceId, input.startsAt, input.endsAt);
    if (clash) {
      throw new ConflictError(`resource "${input.resourceId}" is already held between ${input.startsAt} and ${input.endsAt} by reservation ${clash}; choose a slot that does not overlap`);
    }
    const now = clock.now();
    const id = newId();
    const { state, version } = execute(
      store,
      id,
      {
        kind: 'Create',
        data: {
          reservationId: id,
          customerId: input.customerId,
          resourceId: input.resourceId,
          startsAt: input.startsAt,
          endsAt: input.endsAt,
          amount: input.amount,
          currency: input.currency,
          paymentToken: input.paymentToken,
          paymentDeadline: iso(now + paymentDeadlineMs),
          channel: input.channel,
        },
      },
      now,
      { correlationId: id, ...(headers ? { headers } : {}) },
    );
    if (input.idempotencyKey) store.view.saveIdempotencyKey(input.customerId, input.idempotencyKey, id, fingerprint(input));
    // The new row as the view now holds it, without reading it back.
    const record: ReservationRecord = { ...(state as NonNullable<typeof state>), version, createdAt: iso(now), updatedAt: iso(now) };
    return { id, created: true, record };
  };

  /** `traceHeaders`: the caller's W3C trace context (an HTTP request's), so the saga's trace starts there. */
  return async (raw: CreateReservationInput, traceHeaders?: Record<string, string>): Promise<{ reservation: ReservationRecord; created: boolean }> => {
    const input = createReservationInput.parse(raw);
    const { id, created, record } = await store.write(() => run(input, traceHeaders));
    return { reservation: record ?? (store.view.get(id) as ReservationRecord), created };
  };
}
