import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useCapabilitiesKnown, useHas } from '../api/capabilities';
import { errorMessage, trpc, type Outputs } from '../api/client';
import { pending, PENDING, type OverviewPage, type OverviewRow } from '../api/pending';
import { Badge, ErrorNote, Panel } from '../components/bits';
import { CreateReservation } from '../components/CreateReservation';
import { money, time } from '../format';
import { Link } from '../navigation';
import { searchReservations, type Match } from '../search';

type Reservation = Outputs['reservation']['get'];
type Row = Reservation | OverviewRow;
interface Filter {
  status: string;
  customerId: string;
  resourceId: string;
  paymentStatus: string;
  from: string;
  to: string;
}
const EMPTY: Filter = { status: '', customerId: '', resourceId: '', paymentStatus: '', from: '', to: '' };
const POLL_MS = 1_000;
const FALLBACK_SCAN = 200;

const isoOrUndefined = (local: string) => (local ? new Date(local).toISOString() : undefined);

/** The list: the read model's overview when the server has it, else the reservation module's own list. */
async function loadList(f: Filter, useOverview: boolean): Promise<{ rows: Row[]; overview: OverviewPage | null }> {
  if (useOverview) {
    const page = await pending.overviewList({
      status: f.status || undefined,
      customerId: f.customerId.trim() || undefined,
      resourceId: f.resourceId.trim() || undefined,
      paymentStatus: f.paymentStatus || undefined,
      from: isoOrUndefined(f.from),
      to: isoOrUndefined(f.to),
      limit: 100,
    });
    return { rows: page.items, overview: page };
  }
  // FALLBACK(overview.list): reservation.list filters by status and customer; resource and time range are
  // applied here to the newest reservations.
  const page = await trpc.reservation.list.query({ status: (f.status || undefined) as Reservation['status'] | undefined, customerId: f.customerId.trim() || undefined, limit: FALLBACK_SCAN });
  const from = isoOrUndefined(f.from);
  const to = isoOrUndefined(f.to);
  const rows = page.items.filter(
    (r) => (!f.resourceId.trim() || r.resourceId === f.resourceId.trim()) && (!from || r.startsAt >= from) && (!to || r.startsAt < to),
  );
  return { rows, overview: null };
}

export function Reservations() {
  const has = useHas();
  const known = useCapabilitiesKnown();
  const useOverview = has(PENDING.overviewList);
  const [filter, setFilter] = useState<Filter>(EMPTY);
  const [created, setCreated] = useState<Reservation[]>([]);
  const qc = useQueryClient();
  // LIVE(list): the list polls. reservation.onChange is per reservation, and one EventSource per row
  // would use up the browser's six connections to this server; the detail page subscribes instead.
  const list = useQuery({ queryKey: ['reservations', filter, useOverview], queryFn: () => loadList(filter, useOverview), enabled: known, refetchInterval: POLL_MS });
  const rows = mergeCreated(list.data?.rows ?? [], created, filter);
  const set = (k: keyof Filter) => (e: { target: { value: string } }) => setFilter({ ...filter, [k]: e.target.value });

  return (
    <>
      <SearchBox has={has} />
      <Panel
        title="Reservations"
        testId="reservations"
        actions={<SourceNote overview={list.data?.overview ?? null} known={known} usesOverview={useOverview} />}
      >
        <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="filters">
          <label>
            Status
            <select value={filter.status} onChange={set('status')} name="status">
              <option value="">any</option>
              <option>PENDING</option>
              <option>CONFIRMED</option>
              <option>CANCELLED</option>
            </select>
          </label>
          <label>
            Customer
            <input value={filter.customerId} onChange={set('customerId')} name="customerId" placeholder="customer id" />
          </label>
          <label>
            Resource
            <input value={filter.resourceId} onChange={set('resourceId')} name="resourceId" placeholder="resource id" />
          </label>
          <label title={useOverview ? undefined : 'needs overview.list (the read model joins reservation and payment)'}>
            Payment
            <select value={filter.paymentStatus} onChange={set('paymentStatus')} name="paymentStatus" disabled={!useOverview}>
              <option value="">any</option>
              {['CHARGING', 'CAPTURED', 'DECLINED', 'REFUND_PENDING', 'REFUNDED', 'CANCELLED'].map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          </label>
          <label>
            Starts from
            <input type="datetime-local" value={filter.from} onChange={set('from')} name="from" />
          </label>
          <label>
            until
            <input type="datetime-local" value={filter.to} onChange={set('to')} name="to" />
          </label>
          <button type="button" className="secondary" onClick={() => setFilter(EMPTY)}>
            Clear
          </button>
        </form>
        {list.error ? <ErrorNote error={list.error} prefix="listing reservations" /> : null}
        <ReservationTable rows={rows} loading={list.isPending} />
      </Panel>
      <CreateReservation
        onCreated={(r) => {
          setCreated((c) => [r, ...c].slice(0, 20));
          void qc.invalidateQueries({ queryKey: ['reservations'] });
        }}
      />
    </>
  );
}

/** A reservation created here shows at once (PENDING, from the create answer) until the list has it. */
function mergeCreated(rows: Row[], created: Reservation[], f: Filter): Row[] {
  const fresh = created.filter((c) => !rows.some((r) => r.id === c.id) && (!f.status || c.status === f.status) && (!f.customerId || c.customerId === f.customerId));
  return [...fresh, ...rows];
}

function SourceNote({ overview, known, usesOverview }: { overview: OverviewPage | null; known: boolean; usesOverview: boolean }) {
  if (!known) return null;
  if (usesOverview && overview)
    return (
      <span className="source" data-testid="projection-lag">
        read model · projection lag {overview.lag.events} events / {overview.lag.ms} ms{overview.rebuilding ? ' · rebuilding' : ''}
      </span>
    );
  return (
    <span className="source" data-testid="projection-lag" title="overview.list is not available on this server">
      from reservation.list (read model not available on this server: no projection lag; resource and time filters apply to the newest {FALLBACK_SCAN}) · refreshed every second
    </span>
  );
}

export function ReservationTable({ rows, loading, matchedBy }: { rows: Row[]; loading?: boolean; matchedBy?: Map<string, Match['by']> }) {
  if (loading) return <p className="muted">loading…</p>;
  if (rows.length === 0) return <p className="muted">no reservations match</p>;
  return (
    <div className="table-wrap">
      <table className="table">
        <thead>
          <tr>
            <th>Reservation</th>
            {matchedBy ? <th>Matched by</th> : null}
            <th>Customer</th>
            <th>Resource</th>
            <th>Period</th>
            <th className="num">Amount</th>
            <th>Status</th>
            <th>Payment</th>
            <th>Updated</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} data-testid="reservation-row" data-id={r.id} data-status={r.status}>
              <td>
                <Link to={{ page: 'reservation', id: r.id }} className="id" title={r.id}>
                  {r.id}
                </Link>
              </td>
              {matchedBy ? <td>{matchedBy.get(r.id)}</td> : null}
              <td>{r.customerId}</td>
              <td>{r.resourceId}</td>
              <td className="nowrap">
                {time(r.startsAt)} → {r.endsAt ? time(r.endsAt).slice(11) : '—'}
              </td>
              <td className="num">{money(r.amount, r.currency)}</td>
              <td>
                <Badge value={r.status} title={r.cancellationReason ?? undefined} />
              </td>
              <td>{'paymentStatus' in r ? <Badge value={r.paymentStatus} /> : <span className="muted" title="needs the read model (overview.list)">{r.paymentId ? 'started' : '—'}</span>}</td>
              <td className="nowrap">{time(r.updatedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function SearchBox({ has }: { has: (path: string) => boolean }) {
  const [query, setQuery] = useState('');
  const [state, setState] = useState<{ q: string; matches: Match[] } | { q: string; error: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const q = query.trim();
    if (!q) return setState(null);
    setBusy(true);
    setState(null);
    try {
      setState({ q, matches: await searchReservations(q, has) });
    } catch (error) {
      setState({ q, error: errorMessage(error) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Panel title="Find a reservation" testId="search">
      <form className="search" onSubmit={submit} role="search">
        <input
          type="search"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          placeholder="reservation, customer, payment, correlation or message id"
          aria-label="search"
          name="q"
        />
        <button type="submit" disabled={busy}>
          {busy ? 'Searching…' : 'Search'}
        </button>
      </form>
      {state && 'error' in state ? <p className="note note-error">{state.error}</p> : null}
      {state && 'matches' in state ? (
        <div data-testid="search-results" data-query={state.q}>
          {state.matches.length === 0 ? (
            <p className="muted">nothing found for “{state.q}”</p>
          ) : (
            <ReservationTable rows={state.matches.map((m) => m.row)} matchedBy={new Map(state.matches.map((m) => [m.id, m.by]))} />
          )}
        </div>
      ) : null}
    </Panel>
  );
}
