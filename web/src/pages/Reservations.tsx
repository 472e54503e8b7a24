import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { errorMessage, trpc, type Inputs, type Outputs } from '../api/client';
import { Badge, ErrorNote, Panel } from '../components/bits';
import { CreateReservation } from '../components/CreateReservation';
import { money, time } from '../format';
import { Link } from '../navigation';
import { rowOfOverview, rowOfReservation, type Row } from '../rows';
import { searchReservations, type Match } from '../search';

type Reservation = Outputs['reservation']['get'];
type OverviewPage = Outputs['overview']['list'];
type ListInput = Inputs['overview']['list'];

interface Filter {
  status: '' | NonNullable<ListInput['status']>;
  customerId: string;
  resourceId: string;
  paymentStatus: '' | NonNullable<ListInput['paymentStatus']>;
  from: string;
  to: string;
}
const EMPTY: Filter = { status: '', customerId: '', resourceId: '', paymentStatus: '', from: '', to: '' };
const PAYMENT_STATUSES: Array<NonNullable<ListInput['paymentStatus']>> = ['CAPTURED', 'DECLINED', 'REFUND_PENDING', 'REFUNDED', 'CANCELLED'];
const POLL_MS = 1_000;
const PAGE = 100;

const isoOrUndefined = (local: string) => (local ? new Date(local).toISOString() : undefined);

/** The list: the read model's overview (reservation joined with its payment), filtered by the server. */
const loadList = (f: Filter): Promise<OverviewPage> =>
  trpc.overview.list.query({
    status: f.status || undefined,
    customerId: f.customerId.trim() || undefined,
    resourceId: f.resourceId.trim() || undefined,
    paymentStatus: f.paymentStatus || undefined,
    from: isoOrUndefined(f.from),
    to: isoOrUndefined(f.to),
    limit: PAGE,
  });

export function Reservations() {
  const [filter, setFilter] = useState<Filter>(EMPTY);
  const [created, setCreated] = useState<Reservation[]>([]);
  const qc = useQueryClient();
  // LIVE(list): the list polls. reservation.onChange is per reservation, and one EventSource per row
  // would use up the browser's six connections to this server; the detail page subscribes instead.
  const list = useQuery({ queryKey: ['reservations', filter], queryFn: () => loadList(filter), refetchInterval: POLL_MS, placeholderData: keepPreviousData });
  const rows = mergeCreated((list.data?.items ?? []).map(rowOfOverview), created, filter);
  const set = (k: keyof Filter) => (e: { target: { value: string } }) => setFilter({ ...filter, [k]: e.target.value });

  return (
    <>
      <SearchBox />
      <Panel
        title="Reservations"
        testId="reservations"
        actions={<SourceNote page={list.data ?? null} />}
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
          <label>
            Payment
            <select value={filter.paymentStatus} onChange={set('paymentStatus')} name="paymentStatus">
              <option value="">any</option>
              {PAYMENT_STATUSES.map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          </label>
          <label>
            Created from
            <input type="datetime-local" value={filter.from} onChange={set('from')} name="from" />
          </label>
          <label>
            before
            <input type="datetime-local" value={filter.to} onChange={set('to')} name="to" />
          </label>
          <button type="button" className="secondary" onClick={() => setFilter(EMPTY)}>
            Clear
          </button>
        </form>
        {list.error ? <ErrorNote error={list.error} prefix="overview.list" /> : null}
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

/** A reservation created here shows at once (PENDING, from the create answer) until the read model has it. */
function mergeCreated(rows: Row[], created: Reservation[], f: Filter): Row[] {
  const filtered = f.resourceId || f.paymentStatus || f.from || f.to;
  const fresh = created.filter((c) => !filtered && !rows.some((r) => r.id === c.id) && (!f.status || c.status === f.status) && (!f.customerId || c.customerId === f.customerId.trim()));
  return [...fresh.map(rowOfReservation), ...rows];
}

/** Where the list comes from and how far behind the write side the read model is. */
function SourceNote({ page }: { page: OverviewPage | null }) {
  if (!page) return null;
  return (
    <span className="source" data-testid="projection-lag" data-events={page.lag.events} data-rebuilding={String(page.rebuilding)}>
      read model (overview.list) · projection lag {page.lag.events} events / {page.lag.ms} ms{page.rebuilding ? ' · rebuilding' : ''}
      {page.nextCursor ? ` · newest ${PAGE} shown` : ''} · refreshed every second
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
              <td>{r.paymentStatus !== undefined ? <Badge value={r.paymentStatus} /> : <span className="muted" title="not in the read model yet">{r.paymentId ? 'started' : '—'}</span>}</td>
              <td className="nowrap">{time(r.updatedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function SearchBox() {
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
      setState({ q, matches: await searchReservations(q) });
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
