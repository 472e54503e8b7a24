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

/**
 * One file's writes within a `write` message, as two lists: `ks[i]` pairs `items[i]` with its answer. Lists,
 * not an object per write: postMessage clones every object with its keys, and this crosses for every event.
 */
export interface WriteBatch {
  handle: number;
  ks: number[];
  items: unknown[];
}

export type ToWriter =
  | { op: 'open'; handle: number; kind: string; file: string }
  | { op: 'write'; batches: WriteBatch[] }
  | { op: 'close'; handle: number };

/** A write that failed: `i` is its place in the answer's lists. */
export interface WriteFailure {
  i: number;
  error: ThreadError;
}

/**
 * The answers to one `write` message: `values[i]` answers `ks[i]`, except where `failures` names `i` (its
 * value is then null). Failures are rare, so they travel apart and an answer holds no object per write.
 */
export interface Written {
  op: 'written';
  ks: number[];
  values: unknown[];
  failures: WriteFailure[];
}

export type FromWriter = Written | { op: 'failed'; handle: number; error: ThreadError };

export const toThreadError = (e: unknown): ThreadError => {
  const error = e instanceof Error ? e : new Error(String(e));
  const code = (error as { code?: unknown }).code;
  return { name: error.name, message: error.message, ...(typeof code === 'string' ? { code } : {}) };
};

export const fromThreadError = (e: ThreadError): Error => Object.assign(new Error(e.message), { name: e.name, ...(e.code ? { code: e.code } : {}) });
