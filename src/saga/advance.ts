import type { Contract } from '../platform/contract';
import { ReservationCancelled, ReservationCreated } from '../modules/reservation/contracts/events';
import { PaymentSucceeded } from '../modules/payment/contracts/events';
import {
  choreography,
  compensationCommand,
  compensations,
  DEADLINE,
  steps,
  transitions,
  type CompensationName,
  type SagaData,
  type SagaState,
  type Transition,
} from './definition';

export type Trigger = { kind: 'message'; contract: Contract; payload: unknown } | { kind: typeof DEADLINE };

export interface Instance {
  state: SagaState;
  data: SagaData;
}

export interface Outgoing {
  kind: 'command' | 'compensation';
  /** The step or compensation it belongs to. */
  name: string;
  contract: Contract;
  payload: unknown;
}

export type Advance =
  | { outcome: 'applied'; state: SagaState; data: SagaData; send: Outgoing[]; armDeadline: string | null; disarmDeadline: boolean }
  /**
   * No transition from the current state takes this trigger (a late, repeated or early reply): logged, the
   * state stays; the message is remembered in `seen` so a reply that overtook its cause still counts later.
   */
  | { outcome: 'ignored'; data: SagaData }
  /** The instance does not exist yet and this does not start it: kept until the start arrives. */
  | { outcome: 'early' };

const matches = (t: Transition, trigger: Trigger, current: Instance | null): boolean => {
  if (t.whenOnlyReleasePending && !(current && current.data.pending.length > 0 && current.data.pending.every((p) => p === 'release-slot'))) return false;
  const ons = Array.isArray(t.on) ? t.on : [t.on];
  return ons.some((o) => (o === DEADLINE ? trigger.kind === DEADLINE : trigger.kind === 'message' && o.name === trigger.contract.name));
};

const commandFor = (contract: Contract, trigger: Trigger): unknown => {
  const r = choreography.find((c) => c.command === contract && trigger.kind === 'message' && c.on.name === trigger.contract.name);
  if (!r || trigger.kind !== 'message') throw new Error(`the saga definition has no way to build ${contract.name} from ${trigger.kind === 'message' ? trigger.contract.name : trigger.kind}`);
  return (r.build as (p: unknown) => unknown)(trigger.payload);
};

const answeredBy = (name: CompensationName, seen: readonly string[]) => compensations[name].replies.some((c) => seen.includes(c.name));

/**
 * The compensations due now: those of completed steps, last step first; a step still in flight (the charge
 * before its answer) only once the slot is released. The two reservation compensations are one command.
 */
function dueCompensations(data: SagaData, releasedByTrigger: boolean): CompensationName[] {
  const released = releasedByTrigger || data.seen.includes(ReservationCancelled.name);
  const due: CompensationName[] = [];
  for (const s of [...data.started].reverse()) {
    if (data.failed.includes(s)) continue;
    const name = steps[s].compensation;
    const c = compensations[name];
    const releasesSlot = c.command === compensations['release-slot'].command;
    if (answeredBy(name, data.seen) || (released && releasesSlot) || due.some((d) => compensations[d].command === c.command)) continue;
    const completed = data.seen.includes(steps[s].done.name);
    if (!completed && !released) continue;
    due.push(name);
  }
  return due;
}

/**
 * The saga's one transition function, pure: the instance (or none) and a trigger in, the new state and
 * what to send out. The orchestrator sends `send`; the observer only records the states.
 */
export function advance(current: Instance | null, trigger: Trigger): Advance {
  const from = current?.state ?? 'START';
  const t = transitions.find((x) => x.from.includes(from) && matches(x, trigger, current));
  const typeName = trigger.kind === 'message' ? trigger.contract.name : DEADLINE;
  if (!t) {
    if (!current) return { outcome: 'early' };
    return { outcome: 'ignored', data: current.data.seen.includes(typeName) ? current.data : { ...current.data, seen: [...current.data.seen, typeName] } };
  }

  if (!current) {
    const p = (trigger as { payload: { reservationId: string; amount: number; currency: string; paymentDeadline: string } }).payload;
    if (trigger.kind !== 'message' || trigger.contract !== ReservationCreated) throw new Error('only ReservationCreated starts the saga');
    const data: SagaData = {
      reservationId: p.reservationId,
      amount: p.amount,
      currency: p.currency,
      paymentDeadline: p.paymentDeadline,
      paymentId: null,
      started: ['hold-slot', 'charge'],
      failed: [],
      pending: [],
      cancelReason: null,
      seen: [typeName],
    };
    const charge = steps.charge.command as Contract;
    return { outcome: 'applied', state: t.to, data, send: [{ kind: 'command', name: 'charge', contract: charge, payload: commandFor(charge, trigger) }], armDeadline: p.paymentDeadline, disarmDeadline: false };
  }

  const data: SagaData = { ...current.data, seen: current.data.seen.includes(typeName) ? current.data.seen : [...current.data.seen, typeName] };
  const send: Outgoing[] = [];
  if (trigger.kind === 'message' && trigger.contract === PaymentSucceeded) data.paymentId = (trigger.payload as { paymentId: string }).paymentId;
  if (t.failed) data.failed = [...data.failed, t.failed];
  if (t.forward) {
    data.started = [...data.started, t.forward];
    const command = steps[t.forward].command as Contract;
    send.push({ kind: 'command', name: t.forward, contract: command, payload: commandFor(command, trigger) });
  }
  if (t.compensate?.reason) data.cancelReason = t.compensate.reason;
  if (t.whenOnlyReleasePending) data.pending = [];
  if (t.compensate || t.answers) {
    if (t.answers) data.pending = data.pending.filter((name) => !answeredBy(name, data.seen));
    for (const name of dueCompensations(data, t.compensate?.released ?? false)) {
      if (data.pending.includes(name)) continue;
      data.pending = [...data.pending, name];
      const { contract, payload } = compensationCommand(name, data);
      send.push({ kind: 'compensation', name, contract, payload });
    }
  }
  // Compensating until every compensation has answered; then the saga has ended as CANCELLED.
  const state: SagaState = t.compensate || t.answers ? (data.pending.length === 0 ? 'CANCELLED' : 'COMPENSATING') : t.to;
  return { outcome: 'applied', state, data, send, armDeadline: null, disarmDeadline: current.state === 'AWAITING_PAYMENT' && state !== 'AWAITING_PAYMENT' };
}
