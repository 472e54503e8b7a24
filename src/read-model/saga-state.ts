import type { Contract } from '../platform/contract';
import { PaymentFailed, PaymentRefunded, PaymentSucceeded, PaymentVoided } from '../modules/payment/contracts/events';
import { ReservationCancelled, ReservationConfirmed, ReservationCreated } from '../modules/reservation/contracts/events';
import { advance, type Instance } from '../saga/advance';
import type { SagaState } from '../saga/definition';
import type { Facts } from './facts';

/** The saga's events in the order its steps cause them: created; the charge's answer; confirmed; cancelled; the compensations' answers. */
const CAUSAL_ORDER: readonly Contract[] = [ReservationCreated, PaymentSucceeded, PaymentFailed, ReservationConfirmed, ReservationCancelled, PaymentRefunded, PaymentVoided];

/** The state for each set of events seen (bit i: CAUSAL_ORDER[i]), computed once. */
const byMask = new Map<number, SagaState | null>();

/** What `advance` reads of each trigger's payload, rebuilt from the facts. */
function payloadOf(contract: Contract, f: Facts): unknown {
  if (contract === ReservationCreated) return { reservationId: f.reservationId, ...f.reservation };
  return { reservationId: f.reservationId, paymentId: f.confirmedWith ?? f.paymentId };
}

/**
 * The saga's state from the facts, by the saga definition's own `advance` applied to the saga events
 * the facts hold, in causal order: so it does not depend on the order the bus delivered them. Once the
 * system has settled this equals `saga.get`'s state in either mode (the tests assert it); before, it
 * may trail for a moment, e.g. in orchestration the deadline moves the saga on before an event says so.
 * Null until ReservationCreated is known (the saga has not started).
 */
export function sagaStateOf(f: Facts): SagaState | null {
  if (!f.reservation) return null;
  // The state depends only on which events there are (payloads fill the saga's data, not its state).
  let mask = 0;
  CAUSAL_ORDER.forEach((c, i) => {
    if (f.at[c.type] !== undefined) mask |= 1 << i;
  });
  let state = byMask.get(mask);
  if (state === undefined) byMask.set(mask, (state = replay(f)));
  return state;
}

function replay(f: Facts): SagaState | null {
  let instance: Instance | null = null;
  for (const contract of CAUSAL_ORDER) {
    if (f.at[contract.type] === undefined) continue;
    const r = advance(instance, { kind: 'message', contract, payload: payloadOf(contract, f) });
    if (r.outcome === 'applied') instance = { state: r.state, data: r.data };
  }
  return instance?.state ?? null;
}
