import type { SourceName } from './event-source';

/**
 * Messages between the app and the projector thread (projector-thread.ts). Internal to one process:
 * payloads were validated against their contracts before they are sent, so nothing here is parsed again.
 */

/** One event to fold: `k` pairs it with its answer. */
export interface ApplyItem {
  k: number;
  source: SourceName;
  /** The contract's name (`payment.PaymentSucceeded.v1`). */
  contract: string;
  id: string;
  occurredAt: string;
  payload: unknown;
}

/** An error as it crosses the thread (a cloned Error loses its class and its SQLite code). */
export interface ThreadError {
  name: string;
  message: string;
  code?: string;
}

export type ToProjector =
  | { op: 'open'; handle: number; file: string }
  | { op: 'apply'; handle: number; items: ApplyItem[] }
  | { op: 'close'; handle: number };

export type ApplyResult = { k: number; ok: true; applied: boolean } | { k: number; ok: false; error: ThreadError };

export type FromProjector = { op: 'applied'; results: ApplyResult[] } | { op: 'failed'; handle: number; error: ThreadError };

export const toThreadError = (e: unknown): ThreadError => {
  const error = e instanceof Error ? e : new Error(String(e));
  const code = (error as { code?: unknown }).code;
  return { name: error.name, message: error.message, ...(typeof code === 'string' ? { code } : {}) };
};

export const fromThreadError = (e: ThreadError): Error => Object.assign(new Error(e.message), { name: e.name, ...(e.code ? { code: e.code } : {}) });
