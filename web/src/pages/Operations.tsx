import { useQuery } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { useSystemInfo } from '../api/capabilities';
import { errorMessage, trpc } from '../api/client';
import { AdminGate, forgetTokenIfRefused, useAdminToken } from '../components/AdminGate';
import { Badge, ErrorNote, Json, Panel } from '../components/bits';
import { figures, parsePrometheus, type Figures } from '../metrics';

const OUTAGE_KEY = 'consistency-lab.providerOutage';

export function Operations() {
  const info = useSystemInfo();
  return (
    <>
      <Panel title="This server" testId="system">
        {info.error ? <ErrorNote error={info.error} prefix="system.info" /> : null}
        {info.data ? (
          <dl className="facts">
            <dt>Saga mode</dt>
            <dd data-testid="saga-mode">{info.data.sagaMode}</dd>
            <dt>Transport</dt>
            <dd data-testid="transport">{info.data.transport}</dd>
            <dt>Modules here</dt>
            <dd>{info.data.modules.join(' + ') || 'none'}</dd>
            <dt>Procedures</dt>
            <dd>
              <details>
                <summary>{info.data.procedures.length} procedures</summary>
                <ul className="plain small columns-list">
                  {info.data.procedures.map((p) => (
                    <li key={p}>
                      <code>{p}</code>
                    </li>
                  ))}
                </ul>
              </details>
            </dd>
          </dl>
        ) : null}
      </Panel>
      <Panel title="Payment provider" testId="provider">
        <AdminGate what="The provider's outage switch">
          <OutageSwitch />
        </AdminGate>
      </Panel>
      <FiguresPanel />
      <Panel title="Read model" testId="projections">
        <AdminGate what="The read model's projection status">
          <ProjectionStatus />
        </AdminGate>
      </Panel>
    </>
  );
}

/** The simulated provider's outage switch. The API has no read of it, so the state shown is the one last set here. */
function OutageSwitch() {
  const [on, setOn] = useState<boolean | null>(() => {
    const v = sessionStorage.getItem(OUTAGE_KEY);
    return v === null ? null : v === 'on';
  });
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = async (want: boolean) => {
    setBusy(true);
    setProblem(null);
    try {
      const r = await trpc.admin.provider.setOutage.mutate({ on: want });
      setOn(r.on);
      sessionStorage.setItem(OUTAGE_KEY, r.on ? 'on' : 'off');
    } catch (error) {
      forgetTokenIfRefused(error);
      setProblem(errorMessage(error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="outage" data-testid="outage" data-on={on === null ? '' : String(on)}>
      <p>
        Provider:{' '}
        {on === null ? <span className="muted">not set from this tab (starts normal unless a previous run left it in an outage)</span> : on ? <Badge value="OUTAGE" /> : <Badge value="NORMAL" />}
      </p>
      <div className="actions">
        <button type="button" className="danger" disabled={busy || on === true} onClick={() => void set(true)} data-testid="outage-on">
          Start outage
        </button>
        <button type="button" disabled={busy || on === false} onClick={() => void set(false)} data-testid="outage-off">
          End outage
        </button>
      </div>
      <p className="muted small">During an outage every charge fails transiently: it is retried with backoff, then dead-lettered.</p>
      {problem ? <p className="note note-error">{problem}</p> : null}
    </div>
  );
}

interface MetricsRead {
  available: boolean;
  figures: Figures | null;
  at: number;
}

async function readMetrics(): Promise<MetricsRead> {
  const res = await fetch('/metrics', { headers: { accept: 'text/plain' } });
  if (res.status === 404) return { available: false, figures: null, at: Date.now() };
  if (!res.ok) throw new Error(`/metrics answered ${res.status}`);
  return { available: true, figures: figures(parsePrometheus(await res.text())), at: Date.now() };
}

function Tile({ label, value, hint, testId }: { label: string; value: string; hint?: string; testId: string }) {
  return (
    <div className="tile" data-testid={testId}>
      <div className="tile-value">{value}</div>
      <div className="tile-label">{label}</div>
      {hint ? <div className="tile-hint">{hint}</div> : null}
    </div>
  );
}

/** Throughput, outbox backlog, dead letters and projection lag: from /metrics when it exists, else what the API tells. */
function FiguresPanel() {
  const token = useAdminToken();
  // TODO(metrics): when /metrics is missing this one request answers 404 (the browser logs it); it is not repeated.
  const metrics = useQuery({ queryKey: ['metrics'], queryFn: readMetrics, refetchInterval: (q) => (q.state.data?.available === false ? false : 2_000) });
  const m = metrics.data?.available ? metrics.data.figures : null;
  const deadLetters = useQuery({
    queryKey: ['figures', 'dead-letters'],
    queryFn: () => trpc.admin.deadLetters.list.query({ status: 'open', limit: 500 }),
    enabled: !m && token !== null,
    refetchInterval: 2_000,
  });
  const lag = useQuery({ queryKey: ['figures', 'lag'], queryFn: () => trpc.overview.list.query({ limit: 1 }), enabled: !m, refetchInterval: 2_000 });
  const previous = useRef<{ at: number; ended: number } | null>(null);
  const rate = useRef<number | null>(null);
  if (m?.sagasEnded !== null && m?.sagasEnded !== undefined && metrics.data) {
    const p = previous.current;
    if (p && metrics.data.at > p.at) rate.current = ((m.sagasEnded - p.ended) * 1000) / (metrics.data.at - p.at);
    if (!p || metrics.data.at > p.at) previous.current = { at: metrics.data.at, ended: m.sagasEnded };
  }
  const needs = '/metrics not available on this server';
  const count = (n: number | null | undefined) => (n === null || n === undefined ? '—' : String(n));
  const dlValue = m?.deadLetters != null ? String(m.deadLetters) : deadLetters.data ? `${deadLetters.data.items.length}${deadLetters.data.nextCursor ? '+' : ''}` : '—';

  return (
    <Panel title="Figures" testId="figures" actions={<span className="source">{m ? 'from /metrics, every 2 s' : metrics.data ? 'from the API (no /metrics on this server)' : ''}</span>}>
      {metrics.error ? <ErrorNote error={metrics.error} /> : null}
      <div className="tiles">
        <Tile testId="figure-throughput" label="sagas ended per second" value={rate.current === null ? '—' : rate.current.toFixed(1)} hint={m ? undefined : needs} />
        <Tile testId="figure-outbox" label="outbox pending" value={count(m?.outboxPending)} hint={m ? undefined : needs} />
        <Tile testId="figure-dead-letters" label="open dead letters" value={dlValue} hint={m ? undefined : token ? 'from admin.deadLetters.list' : 'give the admin token (Dead letters page) to count them'} />
        <Tile
          testId="figure-lag"
          label="projection lag (events)"
          value={m?.projectionLagEvents !== null && m?.projectionLagEvents !== undefined ? String(m.projectionLagEvents) : lag.data ? `${lag.data.lag.events} (${lag.data.lag.ms} ms)` : '—'}
          hint={m ? undefined : 'from overview.list'}
        />
      </div>
    </Panel>
  );
}

/** admin.projections.status: the read model's generation, checkpoint per source, lag and the latest rebuild. */
function ProjectionStatus() {
  const st = useQuery({ queryKey: ['projections'], queryFn: () => trpc.admin.projections.status.query(), refetchInterval: 2_000 });
  if (st.error) forgetTokenIfRefused(st.error);
  if (st.error) return <ErrorNote error={st.error} prefix="admin.projections.status" />;
  const s = st.data;
  if (!s) return <p className="muted">loading…</p>;
  return (
    <dl className="facts" data-testid="projection-status" data-lag-events={s.lag.events} data-rebuilding={String(s.rebuilding)}>
      <dt>Generation</dt>
      <dd>{s.generation}</dd>
      <dt>Lag</dt>
      <dd>
        {s.lag.events} events / {s.lag.ms} ms{s.rebuilding ? <> · <Badge value="REBUILDING" /></> : null}
      </dd>
      <dt>Sources</dt>
      <dd>
        <pre className="json">{JSON.stringify(s.sources, null, 2)}</pre>
      </dd>
      <dt>Latest rebuild</dt>
      <dd>
        {s.rebuild ? (
          <>
            generation {s.rebuild.generation} · {Math.round(s.rebuild.progress * 100)}% · <Json value={s.rebuild} />
          </>
        ) : (
          <span className="muted">none</span>
        )}
      </dd>
    </dl>
  );
}
