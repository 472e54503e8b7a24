import { describe, expect, it } from 'vitest';
import { afterCancellation, afterCharge, afterRefund, shouldCharge } from './payment';

const captured = { outcome: 'captured', amount: 100, providerRef: 'ch_1' } as const;
const declined = { outcome: 'declined', code: 'card_declined', message: 'declined' } as const;

describe('payment decisions', () => {
  it('charges a new reservation, and again after a crash mid-charge', () => {
    expect(shouldCharge(null)).toBe(true);
    expect(shouldCharge('CHARGING')).toBe(true);
  });

  it('never charges once decided or cancelled', () => {
    for (const s of ['CAPTURED', 'DECLINED', 'REFUND_PENDING', 'REFUNDED', 'CANCELLED'] as const) expect(shouldCharge(s)).toBe(false);
  });

  it('announces success or failure of a charge in flight', () => {
    expect(afterCharge('CHARGING', captured)).toEqual({ status: 'CAPTURED', announce: [{ type: 'PaymentSucceeded' }] });
    expect(afterCharge('CHARGING', declined)).toEqual({ status: 'DECLINED', announce: [{ type: 'PaymentFailed', code: 'card_declined', message: 'declined' }] });
  });

  it('turns a capture that lands after the cancellation into a refund', () => {
    for (const s of ['REFUND_PENDING', 'REFUNDED', 'CANCELLED'] as const) {
      expect(afterCharge(s, captured)).toEqual({ status: 'REFUND_PENDING', announce: [{ type: 'RefundRequested' }] });
      expect(afterCharge(s, declined)).toBeNull();
    }
  });

  it('refunds on cancellation only what may have been taken', () => {
    expect(afterCancellation(null)).toEqual({ status: 'CANCELLED', announce: [] });
    expect(afterCancellation('CAPTURED')?.announce).toEqual([{ type: 'RefundRequested' }]);
    expect(afterCancellation('CHARGING')?.announce).toEqual([{ type: 'RefundRequested' }]);
    expect(afterCancellation('DECLINED')).toBeNull();
    expect(afterCancellation('REFUNDED')).toBeNull();
  });

  it('announces a refund only when money moved', () => {
    expect(afterRefund(100, 100)).toEqual({ status: 'REFUNDED', announce: [{ type: 'PaymentRefunded', amount: 100 }] });
    expect(afterRefund(100, 0)).toEqual({ status: 'REFUNDED', announce: [] });
    expect(afterRefund(0, 0)).toEqual({ status: 'CANCELLED', announce: [] });
  });
});
