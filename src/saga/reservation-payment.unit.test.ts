import { describe, expect, it } from 'vitest';
import { paymentContracts } from '../modules/payment/contracts/events';
import { reservationContracts } from '../modules/reservation/contracts/events';
import { reservationPaymentSaga } from './reservation-payment';

const known = new Set([...reservationContracts, ...paymentContracts].map((c) => c.name));

describe('the reservation–payment saga definition', () => {
  it('gives every forward step a named compensation', () => {
    for (const step of reservationPaymentSaga.steps) {
      expect(step.compensation.name, step.name).toMatch(/\w+/);
      expect(step.compensation.triggers.length, step.name).toBeGreaterThan(0);
    }
  });

  it('names only messages that have contracts', () => {
    const named = reservationPaymentSaga.steps.flatMap((s) => [s.trigger, ...s.emits, ...s.compensation.triggers, ...s.compensation.emits]);
    for (const n of named.filter((x) => x.includes('.v'))) expect(known.has(n), n).toBe(true);
  });

  it('covers every message the modules publish', () => {
    const emitted = new Set(reservationPaymentSaga.steps.flatMap((s) => [...s.emits, ...s.compensation.emits]));
    expect([...known].filter((n) => !emitted.has(n))).toEqual([]);
  });
});
