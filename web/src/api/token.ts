const KEY = 'consistency-lab.adminToken';
const listeners = new Set<() => void>();

/**
 * The admin token, asked for once and kept in this tab's session storage (gone when the tab closes).
 * It is sent only as an `Authorization: Bearer` header on admin calls, never in a URL.
 */
export const adminToken = {
  get(): string | null {
    return sessionStorage.getItem(KEY);
  },
  set(token: string | null): void {
    if (token === null) sessionStorage.removeItem(KEY);
    else sessionStorage.setItem(KEY, token);
    for (const l of listeners) l();
  },
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};
