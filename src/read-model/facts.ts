import { z } from 'zod';
import type { Contract, PayloadOf } from '../platform/contract';
import { PaymentFailed, PaymentRefunded, PaymentSucceeded, PaymentVoided, RefundRequested } from '../modules/payment/contracts/events';
import { ReservationCancelled, ReservationConfirmed, ReservationCreated } from '../modules/reservation/contracts/events';

/**
 * What the read model knows of one reservation: facts taken from both modules' events, each merged so
 * that the order they arrive in does not matter (a payment event may come before ReservationCreated).
 * One-off facts are kept from the one event that carries them, amounts add up, repeatable events are
 * counted, and each kind of event keeps the earliest time it happened. Duplicates never get here: the
 * inbox absorbs them. The payment token is never kept. This is the reference fold (a fresh fold of the
 * histories uses it); stored rows get the same merges as SQL statements (overview-table.ts), and the
 * property test holds the two equal.
 */
export const factsSchema = z.object({
  reservationId: z.string(),
  reservation: ReservationCreated.schema.omit({ reservationId: true, paymentToken: true, channel: true }).nullable(),
  /** The payment id ReservationConfirmed names. */
  confirmedWith: z.string().nullable(),
  cancelled: ReservationCancelled.schema.omit({ reservationId: true, note: true }).extend({ note: z.string().nullable() }).nullable(),
  paymentId: z.string().nullable(),
  /** Sum of PaymentSucceeded amounts. */
  captured: z.number().int(),
  /** Sum of PaymentRefunded amounts. */
  refunded: z.number().int(),
  declined: PaymentFailed.schema.pick({ code: true, message: true }).nullable(),
  refundRequests: z.number().int(),
  refunds: z.number().int(),
  voids: z.number().int(),
  /** When each kind of event first happened: contract type → occurredAt. */
  at: z.record(z.string(), z.string()),
});
export type Facts = z.infer<typeof factsSchema>;

export const emptyFacts = (reservationId: string): Facts => ({
  reservationId,
  reservation: null,
  confirmedWith: null,
  cancelled: null,
  paymentId: null,
  captured: 0,
  refunded: 0,
  declined: null,
  refundRequests: 0,
  refunds: 0,
  voids: 0,
  at: {},
});

interface Fold {
  contract: Contract;
  apply(f: Facts, payload: unknown): void;
}
const on = <C extends Contract>(contract: C, apply: (f: Facts, p: PayloadOf<C>) => void): Fold => ({ contract, apply: apply as Fold['apply'] });

/** Every event the read model folds, and what each adds to the facts, in the order a saga causes them. */
const FOLDS: readonly Fold[] = [
  on(ReservationCreated, (f, p) => {
    f.reservation ??= { customerId: p.customerId, resourceId: p.resourceId, startsAt: p.startsAt, endsAt: p.endsAt, amount: p.amount, currency: p.currency, paymentDeadline: p.paymentDeadline };
  }),
  on(PaymentSucceeded, (f, p) => {
    f.paymentId ??= p.paymentId;
    // One charge captures at most once: a PaymentSucceeded announced again (a restored payment.db re-handling it) is the same money.
    f.captured = Math.max(f.captured, p.amount);
  }),
  on(PaymentFailed, (f, p) => {
    f.paymentId ??= p.paymentId;
    f.declined ??= { code: p.code, message: p.message };
  }),
  on(ReservationConfirmed, (f, p) => void (f.confirmedWith ??= p.paymentId)),
  on(ReservationCancelled, (f, p) => void (f.cancelled ??= { reason: p.reason, previousStatus: p.previousStatus, note: p.note ?? null })),
  on(RefundRequested, (f, p) => {
    f.paymentId ??= p.paymentId;
    f.refundRequests++;
  }),
  on(PaymentRefunded, (f, p) => {
    f.paymentId ??= p.paymentId;
    f.refunded += p.amount;
    f.refunds++;
  }),
  on(PaymentVoided, (f, p) => {
    f.paymentId ??= p.paymentId;
    f.voids++;
  }),
];

/** The contracts the read model subscribes to and rebuilds from. */
export const projectedContracts: readonly Contract[] = FOLDS.map((f) => f.contract);
const byName = new Map(FOLDS.map((f) => [f.contract.name, f]));
/** Where each type comes in a saga: orders steps that happened at the same instant. */
export const causalRank = new Map(FOLDS.map((f, i) => [f.contract.type, i]));

/** The contract of a stored envelope, if the read model folds it. */
export const projectedContract = (type: string, version: number): Contract | undefined => byName.get(`${type}.v${version}`)?.contract;

/** The contract a projected event names (the projector thread gets names, not contracts). */
export function projectedContractByName(name: string): Contract {
  const fold = byName.get(name);
  if (!fold) throw new Error(`the read model does not fold ${name}; it folds ${[...byName.keys()].join(', ')}`);
  return fold.contract;
}

/** Adds one (validated) event to the facts, in place. */
export function addEvent(f: Facts, contract: Contract, payload: unknown, occurredAt: string): void {
  const fold = byName.get(contract.name);
  if (!fold) throw new Error(`the read model does not fold ${contract.name}; it folds ${[...byName.keys()].join(', ')}`);
  fold.apply(f, payload);
  const first = f.at[contract.type];
  if (first === undefined || occurredAt < first) f.at[contract.type] = occurredAt;
}
