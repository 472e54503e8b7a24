import { useQueryClient } from '@tanstack/react-query';
import { useState, useSyncExternalStore, type FormEvent, type ReactNode } from 'react';
import { errorCode, errorMessage, trpc } from '../api/client';
import { adminToken } from '../api/token';

export const useAdminToken = () => useSyncExternalStore(adminToken.subscribe, adminToken.get);

/** Forget a token the server no longer takes (it restarted with another), so the prompt shows again. */
export function forgetTokenIfRefused(error: unknown): void {
  if (errorCode(error) === 'UNAUTHORIZED') adminToken.set(null);
}

/**
 * Admin parts of a page: shown once the operator gave the token, otherwise a prompt for it. The token is
 * checked with one admin call before it is kept (session storage; sent only as a bearer header).
 */
export function AdminGate({ children, what, framed = false }: { children: ReactNode; what: string; framed?: boolean }) {
  const token = useAdminToken();
  const qc = useQueryClient();
  const [draft, setDraft] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [checking, setChecking] = useState(false);
  if (token) return <>{children}</>;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const candidate = draft.trim();
    if (!candidate) return setProblem('enter the admin token');
    setChecking(true);
    setProblem(null);
    adminToken.set(candidate);
    try {
      await trpc.admin.deadLetters.list.query({ limit: 1 });
      setDraft('');
      await qc.invalidateQueries();
    } catch (error) {
      adminToken.set(null);
      setProblem(errorCode(error) === 'UNAUTHORIZED' ? 'the server refused this token; use the one npm start printed (or ADMIN_TOKEN)' : errorMessage(error));
    } finally {
      setChecking(false);
    }
  };

  return (
    <form className={framed ? 'panel token-prompt' : 'token-prompt'} onSubmit={submit} data-testid="token-prompt">
      <h2>Admin token needed</h2>
      <p>
        {what} needs the admin token: the one <code>npm start</code> printed, or <code>ADMIN_TOKEN</code>. It is kept in this tab only
        (session storage) and sent as an <code>Authorization: Bearer</code> header, never in a URL.
      </p>
      <label>
        Admin token
        <input type="password" autoComplete="off" value={draft} onChange={(e) => setDraft(e.target.value)} name="admin-token" autoFocus />
      </label>
      <button type="submit" disabled={checking}>
        {checking ? 'Checking…' : 'Use this token'}
      </button>
      {problem ? (
        <p className="note note-error" role="alert">
          {problem}
        </p>
      ) : null}
    </form>
  );
}
