/**
 * Messages between the app and its writer thread (client.ts, host.ts). Internal to one process: items
 * were validated against their contracts before they are sent, so nothing here is parsed again.
 */

/** An error as it crosses the thread (a cloned Error loses its class and its SQLite code). */
export interface ThreadError {
  name: string;
  message: string;
  code?: string;
}

/** One write: `k` pairs it with its answer. */
export interface WriteItem {
  k: number;
  item: unknown;
}

/** One file's writes within a `write` message. */
export interface WriteBatch {
  handle: number;
  items: WriteItem[];
}

export type ToWriter =
  | { op: 'open'; handle: number; kind: string; file: string }
  | { op: 'write'; batches: WriteBatch[] }
  | { op: 'close'; handle: number };

export type WriteResult = { k: number; ok: true; value: unknown } | { k: number; ok: false; error: ThreadError };

export type FromWriter = { op: 'written'; results: WriteResult[] } | { op: 'failed'; handle: number; error: ThreadError };

export const toThreadError = (e: unknown): ThreadError => {
  const error = e instanceof Error ? e : new Error(String(e));
  const code = (error as { code?: unknown }).code;
  return { name: error.name, message: error.message, ...(typeof code === 'string' ? { code } : {}) };
};

export const fromThreadError = (e: ThreadError): Error => Object.assign(new Error(e.message), { name: e.name, ...(e.code ? { code: e.code } : {}) });
