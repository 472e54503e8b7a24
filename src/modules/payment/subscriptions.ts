import { route, type HandlerTable } from '../../bus/handler-table';
import type { Signal } from '../../platform/signal';
import type { Clock } from '../../platform/clock';
import { chargePayment } from './application/charge-payment';
import { PAYMENT_GROUP } from './application/consumer-group';
import { onRefundRequested } from './application/on-refund-requested';
import type { PaymentGateway } from './application/payment-gateway';
import { refundPayment } from './application/refund-payment';
import { ChargePayment, RefundPayment } from './contracts/commands';
import { RefundRequested } from './contracts/events';
import type { PaymentStore } from './infrastructure/payment-store';

/**
 * Everything the payment module listens to: one consumer group, and per contract the handler that runs.
 * The saga definition decides where the two commands come from (the orchestrator, or the reservation
 * events it maps to them in choreography mode); RefundRequested is payment's own command to itself.
 */
export function paymentSubscriptions(store: PaymentStore, gateway: PaymentGateway, clock: Clock, committed: Signal): HandlerTable {
  const charge = chargePayment(store, gateway, clock, committed);
  const refund = refundPayment(store, clock);
  const refundNow = onRefundRequested(store, gateway, clock);
  const announce = (announced: boolean) => {
    if (announced) committed.notify();
  };
  return {
    group: PAYMENT_GROUP,
    routes: [
      route(ChargePayment, async (m) => announce(await charge(m.envelope, m.payload))),
      route(RefundPayment, async (m) => announce(await refund(m.envelope, m.payload))),
      route(RefundRequested, async (m) => announce(await refundNow(m.envelope, m.payload))),
    ],
  };
}
