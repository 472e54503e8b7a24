import { useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { errorMessage, trpc, type Outputs } from '../api/client';
import { AdminGate, forgetTokenIfRefused } from '../components/AdminGate';
import { Badge, ErrorNote, Id, Json, Panel } from '../components/bits';
import { ago, time, typeName } from '../format';

type DeadLetter = Outputs['admin']['deadLetters']['get'];
type Group = Outputs['admin']['deadLetters']['groups'][number];
type Operation = Outputs['admin']['operations']['get'];
type Status = 'open' | 'replayed' | 'discarded' | '';

/** A group retry started from this page: the server's durable operation (admin.deadLetters.replayGroup), followed with admin.operations.get. */
interface Run {
  fingerprint: string;
  operationId: string | null;
  /** Why replayGroup refused (a conflict, nothing open, ...). */
  startError: string | null;
}

const finished = (op: Operation | undefined) => op !== undefined && op.status !== 'running';

export function DeadLetters() {
  return (
    <AdminGate what="The dead-letter queue" framed>
      <DeadLetterBoard />
    </AdminGate>
  );
}

function DeadLetterBoard() {
  const qc = useQueryClient();
  const groups = useQuery({ queryKey: ['dead-letter-groups'], queryFn: () => trpc.admin.deadLetters.groups.query(), refetchInterval: 1_500 });
  const [runs, setRuns] = useState<Record<string, Run>>({});
  const ids = Object.values(runs).flatMap((r) => (r.operationId ? [r.operationId] : []));
  // Polled at the board, not in a group's card: a group leaves the list once its last record is replayed,
  // and its operation is still followed to the end.
  const operations = useQueries({
    queries: ids.map((id) => ({
      queryKey: ['operation', id],
      queryFn: () => trpc.admin.operations.get.query({ id }),
      refetchInterval: (q: { state: { data: Operation | undefined } }) => (finished(q.state.data) ? false : 1_000),
    })),
  });
  const opById = new Map<string, Operation>();
  for (const q of operations) if (q.data) opById.set(q.data.id, q.data);
  for (const e of [groups.error, ...operations.map((q) => q.error)]) if (e) forgetTokenIfRefused(e);

  const refreshAll = () => qc.invalidateQueries({ predicate: (q) => q.queryKey[0] !== 'system.info' && q.queryKey[0] !== 'saga.diagram' && q.queryKey[0] !== 'operation' });
  // When an operation ends, the records it replayed and the groups change: refresh them at once.
  const ended = ids.filter((id) => finished(opById.get(id))).join(',');
  useEffect(() => {
    if (ended) void refreshAll();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ended]);

  const retry = async (g: Group) => {
    setRuns((all) => ({ ...all, [g.fingerprint]: { fingerprint: g.fingerprint, operationId: null, startError: null } }));
    try {
      const { operationId } = await trpc.admin.deadLetters.replayGroup.mutate({ fingerprint: g.fingerprint });
      setRuns((all) => ({ ...all, [g.fingerprint]: { fingerprint: g.fingerprint, operationId, startError: null } }));
    } catch (error) {
      forgetTokenIfRefused(error);
      setRuns((all) => ({ ...all, [g.fingerprint]: { fingerprint: g.fingerprint, operationId: null, startError: errorMessage(error) } }));
    }
  };

  const cancel = async (id: string) => {
    try {
      await trpc.admin.operations.cancel.mutate({ id });
    } catch (error) {
      forgetTokenIfRefused(error);
    }
    await qc.invalidateQueries({ queryKey: ['operation', id] });
  };

  const list = groups.data ?? [];
  return (
    <>
      <Panel title="Dead letters by failure" testId="dead-letter-groups" actions={<span className="source">grouped by the server (admin.deadLetters.groups) · retries are durable operations</span>}>
        {groups.error ? <ErrorNote error={groups.error} prefix="admin.deadLetters.groups" /> : null}
        {groups.data && list.length === 0 ? <p className="muted" data-testid="no-dead-letters">no open dead letters</p> : null}
        <div className="groups">
          {list.map((g) => {
            const run = runs[g.fingerprint] ?? null;
            return <GroupCard key={g.fingerprint} group={g} run={run} operation={run?.operationId ? (opById.get(run.operationId) ?? null) : null} onRetry={() => void retry(g)} onCancel={(id) => void cancel(id)} />;
          })}
          {Object.values(runs)
            .filter((r) => !list.some((g) => g.fingerprint === r.fingerprint))
            .map((r) => (
              <div className="group group-emptied" key={r.fingerprint} data-testid="dead-letter-group" data-fingerprint={r.fingerprint} data-count={0}>
                <div className="group-title">
                  <Id value={r.fingerprint} /> <span className="muted small">no open dead letters left</span>
                </div>
                <RunStatus run={r} operation={r.operationId ? (opById.get(r.operationId) ?? null) : null} onCancel={(id) => void cancel(id)} />
              </div>
            ))}
        </div>
      </Panel>
      <RecentOperations />
      <Records onChanged={() => void refreshAll()} />
    </>
  );
}

function GroupCard({ group: g, run, operation, onRetry, onCancel }: { group: Group; run: Run | null; operation: Operation | null; onRetry: () => void; onCancel: (id: string) => void }) {
  const running = run !== null && (operation === null ? run.startError === null : operation.status === 'running');
  return (
    <div className="group" data-testid="dead-letter-group" data-fingerprint={g.fingerprint} data-group={g.group} data-type={g.type} data-error-type={g.errorType} data-count={g.count}>
      <div className="group-title" title={g.frames.join('\n')}>
        {g.group} · {typeName(g.type)} · {g.errorType} <span className="muted small">fingerprint <Id value={g.fingerprint} /></span>
      </div>
      <div className="group-figures">
        <span className="count" data-testid="group-count">
          {g.count}
        </span>
        <span>
          first {time(g.firstSeen)} · last {time(g.lastSeen)} ({ago(g.lastSeen)})
        </span>
      </div>
      <p className="sample">
        <span className="muted">latest error:</span> {g.sampleMessage} <span className="muted small">(dead letter <Id value={g.sampleId} />)</span>
      </p>
      {g.frames.length ? (
        <details>
          <summary className="small">where it failed ({g.frames.length} frames)</summary>
          <pre className="json">{g.frames.join('\n')}</pre>
        </details>
      ) : null}
      <div className="actions">
        <button type="button" onClick={onRetry} disabled={running} data-testid="retry-group">
          Retry group ({g.count})
        </button>
      </div>
      {run ? <RunStatus run={run} operation={operation} onCancel={onCancel} /> : null}
    </div>
  );
}

/** A group retry's progress, failures and the warning when new failures joined the group while it ran. */
function RunStatus({ run, operation: op, onCancel }: { run: Run; operation: Operation | null; onCancel: (id: string) => void }) {
  if (run.startError) return <p className="note note-error" data-testid="group-run" data-status="refused">{run.startError}</p>;
  if (!run.operationId || !op)
    return (
      <div className="run" data-testid="group-run" data-status="starting">
        <span className="small">starting…</span>
      </div>
    );
  const pct = op.total ? Math.round((op.done / op.total) * 100) : 100;
  return (
    <div className="run" data-testid="group-run" data-status={op.status} data-operation-id={op.id} data-done={op.done} data-total={op.total} data-failed={op.failed}>
      <div className="progress" aria-label="retry progress">
        <div style={{ width: `${pct}%` }} />
      </div>
      <span className="small">
        operation <Id value={op.id} /> · <Badge value={op.status} /> · {op.done}/{op.total}
        {op.failed ? ` · ${op.failed} failed` : ''}
        {op.endedAt ? ` · ended ${time(op.endedAt)}` : ''}
      </span>
      {op.status === 'running' ? (
        <button type="button" className="secondary" onClick={() => onCancel(op.id)} data-testid="cancel-group">
          Cancel
        </button>
      ) : null}
      {op.error ? <p className="note note-error">{op.error}</p> : null}
      {op.failures.length ? (
        <ul className="plain small" data-testid="run-failures">
          {op.failures.map((f, i) => (
            <li key={i}>
              <Id value={f.id} /> {f.error}
            </li>
          ))}
          {op.failed > op.failures.length ? <li className="muted">… and {op.failed - op.failures.length} more</li> : null}
        </ul>
      ) : null}
      {op.newFailuresDuringReplay > 0 ? (
        <p className="note note-warn" role="alert" data-testid="joined-warning">
          {op.newFailuresDuringReplay} new failure{op.newFailuresDuringReplay === 1 ? '' : 's'} joined this group during its retry: the cause may not be fixed yet.
        </p>
      ) : null}
    </div>
  );
}

/** The server's group retries (admin.operations.list): they survive a reload or a restart of the server. */
function RecentOperations() {
  const ops = useQuery({ queryKey: ['operations'], queryFn: () => trpc.admin.operations.list.query({ limit: 10 }), refetchInterval: 3_000 });
  if (ops.error) forgetTokenIfRefused(ops.error);
  return (
    <Panel title="Group retries" testId="operations">
      {ops.error ? <ErrorNote error={ops.error} prefix="admin.operations.list" /> : null}
      {ops.data && ops.data.length === 0 ? <p className="muted">none yet</p> : null}
      {ops.data && ops.data.length > 0 ? (
        <ul className="plain small">
          {ops.data.map((o) => (
            <li key={o.id} data-testid="operation" data-status={o.status}>
              {time(o.startedAt)} <Badge value={o.status} /> {o.group} · {typeName(o.type)} · {o.errorType} · {o.done}/{o.total}
              {o.failed ? ` · ${o.failed} failed` : ''}
              {o.newFailuresDuringReplay ? ` · ${o.newFailuresDuringReplay} new failures during it` : ''} <Id value={o.id} />
            </li>
          ))}
        </ul>
      ) : null}
    </Panel>
  );
}

function Records({ onChanged }: { onChanged: () => void }) {
  const [status, setStatus] = useState<Status>('open');
  const list = useQuery({ queryKey: ['dead-letters', 'records', status], queryFn: () => trpc.admin.deadLetters.list.query({ status: status || undefined, limit: 200 }), refetchInterval: 1_500 });
  // Said here, not on the record: a replayed or discarded record leaves the "open" list at once.
  const [said, setSaid] = useState<string | null>(null);
  if (list.error) forgetTokenIfRefused(list.error);
  return (
    <Panel
      title="Dead letters"
      testId="dead-letters"
      actions={
        <label className="inline">
          Status{' '}
          <select value={status} onChange={(e) => setStatus(e.target.value as Status)} name="dead-letter-status">
            <option value="open">open</option>
            <option value="replayed">replayed</option>
            <option value="discarded">discarded</option>
            <option value="">all</option>
          </select>
        </label>
      }
    >
      {list.error ? <ErrorNote error={list.error} /> : null}
      {said ? (
        <p className="note" data-testid="record-said">
          {said}
        </p>
      ) : null}
      {list.data && list.data.items.length === 0 ? <p className="muted">none</p> : null}
      <ul className="records">
        {(list.data?.items ?? []).map((d) => (
          <Record
            key={d.id}
            d={d}
            onDone={(text) => {
              setSaid(`dead letter ${d.id}: ${text}`);
              onChanged();
            }}
          />
        ))}
      </ul>
    </Panel>
  );
}

function Record({ d, onDone }: { d: DeadLetter; onDone: (said: string) => void }) {
  const [open, setOpen] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const act = async (what: () => Promise<string>) => {
    setBusy(true);
    try {
      onDone(await what());
    } catch (error) {
      onDone(`failed: ${errorMessage(error)}`);
    } finally {
      setBusy(false);
      setConfirming(false);
    }
  };
  return (
    <li className="record" data-testid="dead-letter" data-id={d.id} data-status={d.status} data-fingerprint={d.fingerprint}>
      <div className="record-head">
        <Badge value={d.status} /> <strong title={d.type}>{typeName(d.type)}</strong> <span className="muted small">v{d.version} · group {d.group}</span>
        <span className="muted small">
          {d.attempts} attempts · first {time(d.firstFailedAt)} · last {time(d.lastFailedAt)}
        </span>
      </div>
      <p className="error-line">{d.errorMessage}</p>
      <div className="actions">
        {d.status !== 'discarded' ? (
          <button type="button" disabled={busy} onClick={() => void act(async () => `replay ${(await trpc.admin.deadLetters.replay.mutate({ id: d.id })).outcome}`)} data-testid="retry-one">
            Retry
          </button>
        ) : null}
        {d.status !== 'discarded' ? (
          confirming ? (
            <button type="button" className="danger" disabled={busy} onClick={() => void act(async () => (await trpc.admin.deadLetters.discard.mutate({ id: d.id }), 'discarded'))}>
              Really discard
            </button>
          ) : (
            <button type="button" className="secondary" onClick={() => setConfirming(true)}>
              Discard…
            </button>
          )
        ) : null}
        <button type="button" className="secondary" onClick={() => setOpen(!open)} aria-expanded={open}>
          {open ? 'Hide details' : 'Payload and replays'}
        </button>
      </div>
      {open ? (
        <div className="record-details">
          <p className="small">
            message <Id value={d.messageId} /> · correlation <Id value={d.envelope.correlationId} /> · key <Id value={d.envelope.key} />
          </p>
          <h3>Envelope (sensitive fields masked)</h3>
          <Json value={d.envelope} />
          <h3>Replay history</h3>
          {d.replays.length === 0 ? (
            <p className="muted">never replayed</p>
          ) : (
            <ol className="plain" data-testid="replays">
              {d.replays.map((r, i) => (
                <li key={i}>
                  {time(r.at, true)} → {r.outcome}
                </li>
              ))}
            </ol>
          )}
          {d.errorStack ? (
            <details>
              <summary className="small">Error stack</summary>
              <pre className="json">{d.errorStack}</pre>
            </details>
          ) : null}
        </div>
      ) : null}
    </li>
  );
}
