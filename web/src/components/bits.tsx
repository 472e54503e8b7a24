import type { ReactNode } from 'react';
import { errorMessage } from '../api/client';

/** A status, kind or state as a coloured pill; `data-value` lets tests and CSS read it. */
export function Badge({ value, title }: { value: string | null | undefined; title?: string }) {
  if (!value) return <span className="muted">—</span>;
  return (
    <span className={`badge badge-${value.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`} data-value={value} title={title}>
      {value}
    </span>
  );
}

/** Said where a part of a page needs a procedure this server does not offer (yet). */
export function NotAvailable({ what, needs }: { what: string; needs: string }) {
  return (
    <p className="note note-missing" data-testid="not-available">
      {what}: not available on this server (needs <code>{needs}</code>).
    </p>
  );
}

export function ErrorNote({ error, prefix }: { error: unknown; prefix?: string }) {
  return (
    <p className="note note-error" role="alert">
      {prefix ? `${prefix}: ` : ''}
      {errorMessage(error)}
    </p>
  );
}

export function Panel({ title, actions, children, testId }: { title: ReactNode; actions?: ReactNode; children: ReactNode; testId?: string }) {
  return (
    <section className="panel" data-testid={testId}>
      <header className="panel-head">
        <h2>{title}</h2>
        {actions ? <div className="panel-actions">{actions}</div> : null}
      </header>
      {children}
    </section>
  );
}

/** An id shown short, whole in the tooltip, selectable for copying. */
export function Id({ value }: { value: string | null | undefined }) {
  if (!value) return <span className="muted">—</span>;
  return (
    <code className="id" title={value}>
      {value}
    </code>
  );
}

export function Json({ value }: { value: unknown }) {
  return <pre className="json">{JSON.stringify(value, null, 2)}</pre>;
}
