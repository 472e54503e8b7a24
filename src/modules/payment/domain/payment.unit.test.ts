import { describe, expect, it } from 'vitest';
import { deciderSpec } from '../../../platform/testing/decider-spec';
import { paymentDecider, shouldCharge, type PaymentCommand, type PaymentEvent } from './payment';

const given = deciderSpec(paymentDecider);
const captured: PaymentCommand = { kind: 'RecordCharge', result: { outcome: 'captured', amount: 100, providerRef: 'ch_1' } };
const declined: PaymentCommand = { kind: 'RecordCharge', result: { outcome: 'declined', code: 'card_declined', message: 'declined' } };
const compensate: PaymentCommand = { kind: 'Compensate' };
const started: PaymentEvent = { type: 'ChargeStarted' };
const succeeded: PaymentEvent = { type: 'PaymentSucceeded' };
const failed: PaymentEvent = { type: 'PaymentFailed', code: 'card_declined', message: 'declined' };
const refundRequested: PaymentEvent = { type: 'RefundRequested' };
const refunded: PaymentEvent = { type: 'PaymentRefunded', amount: 100 };
const voided = (settledAs: 'DECLINED' | 'REFUNDED' | 'CANCELLED'): PaymentEvent => ({ type: 'PaymentVoided', settledAs });

describe('payment decide/evolve', () => {
  it('starts a charge for a new payment, once', () => {
    given().when({ kind: 'StartCharge' }).then(started);
    given(started).when({ kind: 'StartCharge' }).then();
  });
  it('a charge request after the compensation refunds what an earlier attempt may have captured unseen', () => {
    for (const status of ['REFUND_PENDING', 'CANCELLED', 'REFUNDED'] as const) expect(paymentDecider.decide({ kind: 'StartCharge' }, { status, chargeStarted: true })).toEqual([refundRequested]);
    expect(paymentDecider.decide({ kind: 'StartCharge' }, { status: 'CANCELLED', chargeStarted: false })).toEqual([]);
    for (const status of ['CAPTURED', 'DECLINED'] as const) expect(paymentDecider.decide({ kind: 'StartCharge' }, { status, chargeStarted: true })).toEqual([]);
  });
  it('charges a new payment, and again after a crash mid-charge; never once decided', () => {
    expect(shouldCharge(null)).toBe(true);
    expect(shouldCharge({ status: 'CHARGING' })).toBe(true);
    for (const status of ['CAPTURED', 'DECLINED', 'REFUND_PENDING', 'REFUNDED', 'CANCELLED'] as const) expect(shouldCharge({ status })).toBe(false);
  });
  it('announces success or failure of a charge in flight', () => {
    given(started).when(captured).then(succeeded);
    given(started).when(declined).then(failed);
  });
  it('turns a capture that lands after the cancellation into a refund', () => {
    given(started, refundRequested).when(captured).then(refundRequested);
    given(voided('CANCELLED')).when(captured).then(refundRequested);
    given(started, refundRequested, voided('CANCELLED')).when(captured).then(refundRequested);
    given(started, refundRequested).when(declined).then();
  });
  it('ignores a repeated answer once decided', () => {
    given(started, succeeded).when(captured).then();
    given(started, failed).when(declined).then();
  });
  it('compensates: refunds what may have been taken, voids what was not', () => {
    given(started).when(compensate).then(refundRequested);
    given(started, succeeded).when(compensate).then(refundRequested);
    given().when(compensate).then(voided('CANCELLED'));
    expect(given().when(compensate).thenState()).toEqual({ status: 'CANCELLED' });
  });
  it('answers a repeated compensation again, without moving money', () => {
    given(started, failed).when(compensate).then(voided('DECLINED'));
    given(started, succeeded, refundRequested, refunded).when(compensate).then(voided('REFUNDED'));
    given(voided('CANCELLED')).when(compensate).then(voided('CANCELLED'));
    given(started, refundRequested).when(compensate).then();
  });
  it('settles a refund as refunded or voided', () => {
    given(started, succeeded, refundRequested).when({ kind: 'RecordRefund', capturedTotal: 100, refundedNow: 100 }).then(refunded);
    given(started, refundRequested).when({ kind: 'RecordRefund', capturedTotal: 0, refundedNow: 0 }).then(voided('CANCELLED'));
    given(started, succeeded, refundRequested, refunded, refundRequested).when({ kind: 'RecordRefund', capturedTotal: 100, refundedNow: 0 }).then(voided('REFUNDED'));
    expect(given(started, succeeded, refundRequested).when({ kind: 'RecordRefund', capturedTotal: 100, refundedNow: 100 }).thenState()).toEqual({ status: 'REFUNDED' });
  });
});
