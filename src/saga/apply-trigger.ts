import { createEnvelope, envelopeSchema, type Envelope } from '../bus/envelope';
import { NonRetryableError } from '../bus/errors';
import { Upcasters } from '../bus/upcasters';
import { iso } from '../platform/clock';
import type { Contract } from '../platform/contract';
import { PaymentRefunded, PaymentVoided } from '../modules/payment/contracts/events';
import { ReservationCancelled } from '../modules/reservation/contracts/events';
import { advance, type Trigger } from './advance';
import { DEADLINE, sagaEvents, states, type SagaMode, type SagaState } from './definition';
import type { SagaStore, StepRow } from './infrastructure/saga-store';

export interface Received {
  /** The message, or null for the deadline (which is no message). */
  envelope: Envelope | null;
  contract: Contract | null;
  payload: unknown;
  reservationId: string;
  attempt: number;
}

export interface Applied {
  state: SagaState | null;
  /** Commands put in the outbox (orchestration). */
  sent: number;
  /** The instance reached a terminal state with this trigger. */
  ended: boolean;
  started: boolean;
  /** A deadline armed by this trigger (orchestration), so the timer can be moved earlier. */
  armed: string | null;
}

const byType = new Map(sagaEvents.map((c) => [`${c.type}@${c.version}`, c]));
/** A parked message may predate a contract's new version: lifted like any decoded envelope. */
const upcasters = new Upcasters(sagaEvents);

/** How the step log files a received trigger. */
function kindOf(r: Received, before: SagaState | null): StepRow['kind'] {
  if (r.contract === null) return 'deadline';
  if (r.contract === ReservationCancelled && (r.payload as { reason: string }).reason === 'PAYMENT_TIMEOUT') return 'deadline';
  if (r.contract === PaymentRefunded || r.contract === PaymentVoided || before === 'COMPENSATING') return 'compensation';
  return 'event';
}

/** The step log's row for a trigger received in state `before`. */
function stepRow(r: Received, before: SagaState | null, at: string, outcome: string, after: SagaState | null): StepRow {
  return {
    at,
    kind: kindOf(r, before),
    type: r.contract ? r.contract.type : DEADLINE,
    messageId: r.envelope?.id ?? null,
    correlationId: r.envelope?.correlationId ?? r.reservationId,
    causationId: r.envelope?.causationId ?? null,
    attempt: r.attempt,
    outcome,
    stateBefore: before,
    stateAfter: after,
  };
}

/**
 * One trigger applied to one saga instance, inside the caller's transaction: read the instance, run the
 * definition's `advance`, write the new state with compare-and-swap, log the step and, when `send` is on
 * (orchestration), put the commands in the outbox and arm or disarm the deadline in the same transaction.
 * A message that arrives before its instance exists is parked and applied right after the start.
 */
export function applyTrigger(store: SagaStore, mode: SagaMode, send: boolean, r: Received, now: number): Applied {
  const at = iso(now);
  const instance = store.get(r.reservationId);
  const before = instance?.state ?? null;
  const trigger: Trigger = r.contract ? { kind: 'message', contract: r.contract, payload: r.payload } : { kind: DEADLINE };
  const result = advance(instance, trigger);
  if (result.outcome === 'early') {
    if (!r.envelope) throw new Error(`deadline for saga ${r.reservationId}, which does not exist`);
    store.park(r.reservationId, JSON.stringify(r.envelope), r.attempt);
    store.addStep(r.reservationId, stepRow(r, before, at, 'parked: arrived before the saga started; applied when it starts', null));
    return { state: null, sent: 0, ended: false, started: false, armed: null };
  }
  if (result.outcome === 'ignored') {
    if (instance && result.data !== instance.data) store.update(r.reservationId, instance.version, instance.state, result.data, at, instance.endedAt);
    store.addStep(r.reservationId, stepRow(r, before, at, `ignored: no transition from ${before} on it`, before));
    return { state: before, sent: 0, ended: false, started: false, armed: null };
  }
  const ended = states[result.state].terminal && (before === null || !states[before].terminal);
  const endedAt = states[result.state].terminal ? (ended ? at : (instance?.endedAt ?? at)) : null;
  if (instance) store.update(r.reservationId, instance.version, result.state, result.data, at, endedAt);
  else store.insert({ reservationId: r.reservationId, mode, state: result.state, data: result.data, startedAt: at, endedAt });
  store.addStep(r.reservationId, stepRow(r, before, at, 'applied', result.state));
  let sent = 0;
  if (send) {
    for (const out of result.send) {
      const e = createEnvelope(out.contract, out.payload as never, {
        key: r.reservationId,
        occurredAt: at,
        correlationId: r.envelope?.correlationId ?? r.reservationId,
        causationId: r.envelope?.id ?? null,
      });
      store.outbox.add(e);
      store.addStep(r.reservationId, { ...stepRow(r, before, at, `sent (${out.name})`, result.state), kind: out.kind, type: out.contract.type, messageId: e.id, causationId: e.causationId, attempt: 1 });
      sent++;
    }
    if (result.armDeadline) store.armDeadline(r.reservationId, result.armDeadline);
    if (result.disarmDeadline) store.disarmDeadline(r.reservationId);
  }
  const applied: Applied = { state: result.state, sent, ended, started: instance === null, armed: send ? result.armDeadline : null };
  if (send && result.armDeadline && Date.parse(result.armDeadline) <= now) {
    // The saga started after its deadline (a late delivery, a redelivered history): the deadline is due now,
    // in this transaction, rather than racing the charge just sent. Its compensation refunds what that takes.
    store.disarmDeadline(r.reservationId);
    const late = applyTrigger(store, mode, send, { envelope: null, contract: null, payload: null, reservationId: r.reservationId, attempt: 1 }, now);
    applied.state = late.state;
    applied.sent += late.sent;
    applied.armed = null;
  }
  if (!instance) {
    for (const p of store.takeParked(r.reservationId)) {
      const envelope = upcasters.lift(envelopeSchema.parse(JSON.parse(p.envelope)));
      const contract = byType.get(`${envelope.type}@${envelope.version}`);
      if (!contract) throw new NonRetryableError(`parked message ${envelope.id} has type ${envelope.type} v${envelope.version}, which the saga does not know`);
      const next = applyTrigger(store, mode, send, { envelope, contract, payload: contract.schema.parse(envelope.payload), reservationId: r.reservationId, attempt: p.attempt }, now);
      applied.state = next.state;
      applied.sent += next.sent;
      applied.ended ||= next.ended;
    }
  }
  return applied;
}
