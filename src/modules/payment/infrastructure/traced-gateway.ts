import { SpanKind, SpanStatusCode, type Attributes } from '@opentelemetry/api';
import { deliveryContextForKey, recorded } from '../../../bus/message-tracing';
import { activeTracer } from '../../../platform/tracer';
import type { PaymentGateway, ProviderControl } from '../application/payment-gateway';

const isControl = (g: object): g is ProviderControl => 'setOutage' in g && 'isInOutage' in g;

/**
 * The provider port with a client span around each call, so the charge shows in the saga's trace with
 * its outcome. Amounts and the idempotency key (the reservation id) are recorded; the payment token never.
 * The outage switch of the simulated provider is passed through.
 */
export function tracedGateway(inner: PaymentGateway): PaymentGateway {
  // The provider is called with the reservation id, which is also the key of the message being handled:
  // its delivery's process span is the call's parent.
  const call = async <R>(operation: 'charge' | 'refund', reservationId: string, attributes: Attributes, run: () => Promise<R>, outcome: (r: R) => Attributes): Promise<R> => {
    const tracer = activeTracer();
    const parent = tracer ? deliveryContextForKey(reservationId) : undefined;
    if (!tracer || !recorded(parent)) return run();
    const span = tracer.startSpan(`payment-provider ${operation}`, { kind: SpanKind.CLIENT, attributes: { 'payment.operation': operation, ...attributes } }, parent);
    try {
      const result = await run();
      span.setAttributes(outcome(result));
      return result;
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      span.recordException({ name: e.name, message: e.message });
      span.setStatus({ code: SpanStatusCode.ERROR, message: e.message });
      throw error;
    } finally {
      span.end();
    }
  };
  const traced: PaymentGateway & Partial<ProviderControl> = {
    charge: (r) =>
      call('charge', r.idempotencyKey, { 'payment.idempotency_key': r.idempotencyKey, 'payment.amount': r.amount, 'payment.currency': r.currency }, () => inner.charge(r), (o) =>
        o.outcome === 'captured' ? { 'payment.outcome': o.outcome } : { 'payment.outcome': o.outcome, 'payment.decline_code': o.code },
      ),
    refund: (r) =>
      call('refund', r.chargeKey, { 'payment.idempotency_key': r.idempotencyKey, 'payment.charge_key': r.chargeKey }, () => inner.refund(r), (o) => ({ 'payment.refunded': o.refunded })),
  };
  if (isControl(inner)) {
    traced.setOutage = (on) => inner.setOutage(on);
    traced.isInOutage = () => inner.isInOutage();
  }
  return traced;
}
