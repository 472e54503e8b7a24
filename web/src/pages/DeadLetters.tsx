import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useHas } from '../api/capabilities';
import { errorMessage, trpc, type Outputs } from '../api/client';
import { pending, PENDING, type Operation } from '../api/pending';
import { AdminGate, forgetTokenIfRefused } from '../components/AdminGate';
import { Badge, ErrorNote, Id, Json, NotAvailable, Panel } from '../components/bits';
import { fingerprintOf, groupDeadLetters, joinedDuring } from '../dead-letter-groups';
import { ago, time, typeName } from '../format';

type DeadLetter = Outputs['admin']['deadLetters']['get'];
type Status = 'open' | 'replayed' | 'discarded' | '';

/** A group as the page shows it, from the server's groups or grouped here. */
interface GroupView {
  fingerprint: string;
  count: number;
  firstSeen: string;
  lastSeen: string;
  sampleError: string;
  /** Only for groups made here: the open records in it. */
  records: DeadLetter[] | null;
}

/** A whole group's retry: the server's durable operation, or (fallback) replays sent one by one from here. */
interface Run {
  fingerprint: string;
  startedAt: string;
  status: 'running' | 'done' | 'cancelled' | 'failed';
  done: number;
  total: number;
  failures: Array<{ id: string; why: string }>;
  retried: Set<string>;
  operationId: string | null;
  operation: Operation | null;
}

export function DeadLetters() {
  return (
    <AdminGate what="The dead-letter queue" framed>
      <DeadLetterBoard />
    </AdminGate>
  );
}

function DeadLetterBoard() {
  const has = useHas();
  const qc = useQueryClient();
  const durable = has(PENDING.deadLetterGroups) && has(PENDING.replayGroup) && has(PENDING.operationGet);
  const open = useQuery({ queryKey: ['dead-letters', 'open'], queryFn: () => trpc.admin.deadLetters.list.query({ status: 'open', limit: 500 }), refetchInterval: 1_500 });
  const serverGroups = useQuery({ queryKey: ['dead-letter-groups'], queryFn: pending.deadLetterGroups, enabled: durable, refetchInterval: 1_500 });
  const [runs, setRuns] = useState<Record<string, Run>>({});
  const cancelled = useRef(new Set<string>());
  for (const e of [open.error, serverGroups.error]) if (e) forgetTokenIfRefused(e);

  const update = (fp: string, change: Partial<Run>) => setRuns((all) => ({ ...all, [fp]: { ...(all[fp] as Run), ...change } }));
  const refreshAll = () => qc.invalidateQueries({ predicate: (q) => q.queryKey[0] !== 'system.info' && q.queryKey[0] !== 'saga.diagram' });

  const groups: GroupView[] = durable
    ? (serverGroups.data ?? []).map((g) => ({ ...g, records: null }))
    : groupDeadLetters(open.data?.items ?? []).map((g) => ({ ...g, records: g.records }));

  /** FALLBACK(admin.deadLetters.replayGroup): replays each record of the group from this page, in order. */
  const retryHere = async (g: GroupView) => {
    const ids = (g.records ?? []).map((d) => d.id);
    cancelled.current.delete(g.fingerprint);
    setRuns((all) => ({ ...all, [g.fingerprint]: { fingerprint: g.fingerprint, startedAt: new Date().toISOString(), status: 'running', done: 0, total: ids.length, failures: [], retried: new Set(ids), operationId: null, operation: null } }));
    const failures: Run['failures'] = [];
    let done = 0;
    for (const id of ids) {
      if (cancelled.current.has(g.fingerprint)) return update(g.fingerprint, { status: 'cancelled' });
      try {
        const r = await trpc.admin.deadLetters.replay.mutate({ id });
        if (r.outcome !== 'handled') failures.push({ id, why: r.outcome });
      } catch (error) {
        failures.push({ id, why: errorMessage(error) });
      }
      done += 1;
      update(g.fingerprint, { done, failures: [...failures] });
    }
    update(g.fingerprint, { status: 'done' });
    await refreshAll();
  };

  const retryOnServer = async (g: GroupView) => {
    const startedAt = new Date().toISOString();
    setRuns((all) => ({ ...all, [g.fingerprint]: { fingerprint: g.fingerprint, startedAt, status: 'running', done: 0, total: g.count, failures: [], retried: new Set(), operationId: null, operation: null } }));
    try {
      const operationId = await pending.replayGroup(g.fingerprint);
      update(g.fingerprint, { operationId });
    } catch (error) {
      update(g.fingerprint, { status: 'failed', failures: [{ id: '', why: errorMessage(error) }] });
    }
  };

  const cancel = async (run: Run) => {
    if (run.operationId) await pending.operationCancel(run.operationId).catch(() => undefined);
    else cancelled.current.add(run.fingerprint);
  };

  return (
    <>
      <Panel
        title="Dead letters by failure"
        testId="dead-letter-groups"
        actions={
          <span className="source">
            {durable ? 'grouped by the server (admin.deadLetters.groups)' : 'grouped in the browser: consumer group · message type · error (admin.deadLetters.groups not available on this server)'}
          </span>
        }
      >
        {open.error ? <ErrorNote error={open.error} prefix="admin.deadLetters.list" /> : null}
        {serverGroups.error ? <ErrorNote error={serverGroups.error} prefix={PENDING.deadLetterGroups} /> : null}
        {groups.length === 0 ? <p className="muted" data-testid="no-dead-letters">no open dead letters</p> : null}
        <div className="groups">
          {groups.map((g) => (
            <GroupCard
              key={g.fingerprint}
              group={g}
              run={runs[g.fingerprint] ?? null}
              durable={durable}
              onRetry={() => void (durable ? retryOnServer(g) : retryHere(g))}
              onCancel={(run) => void cancel(run)}
              onOperation={(op) => {
                const p = op.progress;
                const finished = !/^(running|pending|queued|in[-_ ]?progress)$/i.test(op.status);
                update(g.fingerprint, { operation: op, done: p?.done ?? 0, total: p?.total ?? g.count, status: finished ? (/cancel/i.test(op.status) ? 'cancelled' : 'done') : 'running' });
                if (finished) void refreshAll();
              }}
            />
          ))}
          {Object.values(runs)
            .filter((r) => !groups.some((g) => g.fingerprint === r.fingerprint))
            .map((r) => (
              <div className="group group-emptied" key={r.fingerprint} data-testid="dead-letter-group" data-count={0}>
                <div className="group-title">{r.fingerprint}</div>
                <RunStatus run={r} />
              </div>
            ))}
        </div>
        {!durable ? <NotAvailable what="Retrying a whole group as one durable operation (progress, failures, cancel kept by the server)" needs={`${PENDING.replayGroup} + ${PENDING.operationGet}`} /> : null}
      </Panel>
      <Records onChanged={() => void refreshAll()} />
    </>
  );
}

function GroupCard({ group: g, run, durable, onRetry, onCancel, onOperation }: { group: GroupView; run: Run | null; durable: boolean; onRetry: () => void; onCancel: (run: Run) => void; onOperation: (op: Operation) => void }) {
  const running = run?.status === 'running';
  const joined = run && g.records ? joinedDuring(g.records, run.startedAt, run.retried) : [];
  const serverJoined = run && durable && g.lastSeen > run.startedAt;
  return (
    <div className="group" data-testid="dead-letter-group" data-fingerprint={g.fingerprint} data-count={g.count}>
      <div className="group-title" title={g.fingerprint}>
        {g.fingerprint}
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
        <span className="muted">sample error:</span> {g.sampleError}
      </p>
      <div className="actions">
        <button type="button" onClick={onRetry} disabled={running} data-testid="retry-group">
          Retry group ({g.count})
        </button>
        {running && run ? (
          <button type="button" className="secondary" onClick={() => onCancel(run)}>
            Cancel
          </button>
        ) : null}
      </div>
      {run?.operationId && running ? <OperationPoller id={run.operationId} onOperation={onOperation} /> : null}
      {run ? <RunStatus run={run} /> : null}
      {joined.length > 0 || serverJoined ? (
        <p className="note note-warn" role="alert" data-testid="joined-warning">
          New failures joined this group during its retry{joined.length ? ` (${joined.length})` : ''}: the cause may not be fixed yet.
        </p>
      ) : null}
    </div>
  );
}

function OperationPoller({ id, onOperation }: { id: string; onOperation: (op: Operation) => void }) {
  const op = useQuery({ queryKey: ['operation', id], queryFn: () => pending.operationGet(id), refetchInterval: 1_000 });
  // Structural sharing keeps `op.data` the same object while the operation does not change.
  useEffect(() => {
    if (op.data) onOperation(op.data);
  }, [op.data]);
  return op.error ? <ErrorNote error={op.error} prefix={PENDING.operationGet} /> : null;
}

function RunStatus({ run }: { run: Run }) {
  const pct = run.total ? Math.round((run.done / run.total) * 100) : 100;
  const failures = run.operation?.failures?.map((f) => ({ id: f.deadLetterId ?? f.id ?? '', why: f.error ?? f.message ?? '' })) ?? run.failures;
  return (
    <div className="run" data-testid="group-run" data-status={run.status}>
      <div className="progress" aria-label="retry progress">
        <div style={{ width: `${pct}%` }} />
      </div>
      <span className="small">
        {run.operationId ? <>operation <Id value={run.operationId} /> · </> : 'replayed from this page · '}
        {run.status} · {run.done}/{run.total}
        {failures.length ? ` · ${failures.length} failed` : ''}
      </span>
      {failures.length ? (
        <ul className="plain small">
          {failures.map((f, i) => (
            <li key={i}>
              <Id value={f.id} /> {f.why}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
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
    <li className="record" data-testid="dead-letter" data-id={d.id} data-status={d.status} data-fingerprint={fingerprintOf(d)}>
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
