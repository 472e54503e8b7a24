import type { ChargeOutcome } from '../domain/payment';

export interface ChargeRequest {
  /** The same key never captures twice, however often it is sent. */
  idempotencyKey: string;
  amount: number;
  currency: string;
  token: string;
}

export interface RefundRequest {
  idempotencyKey: string;
  /** The charge whose remaining captured amount is given back (0 when nothing is left). */
  chargeKey: string;
}

/**
 * The payment provider port. A decline is an answer (`declined`); a provider that cannot answer
 * (outage, timeout) throws ProviderUnavailableError, which the bus retries with backoff.
 */
export interface PaymentGateway {
  charge(request: ChargeRequest): Promise<ChargeOutcome>;
  /** `captured` is what the provider holds as captured for the charge: a capture whose answer was lost shows up here. */
  refund(request: RefundRequest): Promise<RefundResult>;
}

export interface RefundResult {
  refunded: number;
  captured: number;
  /** All the provider has refunded for the charge, this refund included: a refund whose record was lost shows up here. */
  refundedTotal: number;
  providerRef: string | null;
}

/** An operator's switch over the provider, offered only by providers that have one (the simulated one). */
export interface ProviderControl {
  setOutage(on: boolean): void;
  isInOutage(): boolean;
}

export class ProviderUnavailableError extends Error {
  override name = 'ProviderUnavailableError';
}
