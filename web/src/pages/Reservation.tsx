import { useQuery } from '@tanstack/react-query';
import { useCapabilitiesKnown, useHas } from '../api/capabilities';
import { errorCode, trpc, type Outputs } from '../api/client';
import { useLiveRefresh } from '../api/live';
import { pending, PENDING, type HistoryEvent } from '../api/pending';
import { Badge, ErrorNote, Id, NotAvailable, Panel } from '../components/bits';
import { SagaDiagram } from '../components/SagaDiagram';
import { money, time, typeName } from '../format';
import { Link } from '../navigation';

type Saga = Outputs['saga']['get'];
type Step = Saga['steps'][number];
type Payment = Outputs['payment']['getByReservation'];
const settled = <T,>(r: PromiseSettledResult<T>) => (r.status === 'fulfilled' ? { value: r.value, error: null } : { value: null, error: r.reason as unknown });

/**
 * Everything the page shows, asked for together: the calls travel as one batch, so while the saga or
 * the payment has not started yet its "not found" comes back inside a successful request.
 */
async function loadDetail(id: string, has: (path: string) => boolean) {
  const [reservation, saga, payment, reservationHistory, paymentHistory] = await Promise.allSettled([
    trpc.reservation.get.query({ id }),
    trpc.saga.get.query({ reservationId: id }),
    trpc.payment.getByReservation.query({ reservationId: id }),
    // FALLBACK(reservation.history / payment.history): shown only where the server has them.
    has(PENDING.reservationHistory) ? pending.reservationHistory(id) : Promise.resolve(null),
    has(PENDING.paymentHistory) ? pending.paymentHistory(id) : Promise.resolve(null),
  ]);
  return { reservation: settled(reservation), saga: settled(saga), payment: settled(payment), reservationHistory: settled(reservationHistory), paymentHistory: settled(paymentHistory) };
}

export function ReservationDetail({ id }: { id: string }) {
  const has = useHas();
  const known = useCapabilitiesKnown();
  const key = ['detail', id];
  // FALLBACK(subscriptions): reservation.onChange and saga.onChange push changes; without them the page polls.
  const a = useLiveRefresh(key, { path: PENDING.reservationOnChange, input: { id } }, 1_000);
  const b = useLiveRefresh(key, { path: PENDING.sagaOnChange, input: { reservationId: id } }, 1_000);
  const detail = useQuery({ queryKey: key, queryFn: () => loadDetail(id, has), enabled: known, refetchInterval: a.live && b.live ? false : 1_000 });
  const d = detail.data;

  if (detail.error) return <ErrorNote error={detail.error} />;
  if (!d) return <p className="muted">loading…</p>;
  if (d.reservation.error)
    return (
      <Panel title="Reservation">
        <ErrorNote error={d.reservation.error} />
        <Link to={{ page: 'reservations' }}>back to the list</Link>
      </Panel>
    );
  const r = d.reservation.value as Outputs['reservation']['get'];
  const saga = d.saga.value;
  const correlationId = saga?.steps.find((s) => s.correlationId)?.correlationId ?? null;

  return (
    <div className="detail" data-testid="reservation-detail" data-status={r.status}>
      <p className="crumbs">
        <Link to={{ page: 'reservations' }}>Reservations</Link> / <Id value={r.id} />
      </p>
      <Panel title={<>Reservation <Badge value={r.status} /></>} actions={<span className="source">{a.live && b.live ? 'live (subscriptions)' : 'refreshed every second'}</span>}>
        <dl className="facts">
          <dt>Id</dt>
          <dd><Id value={r.id} /></dd>
          <dt>Customer</dt>
          <dd>{r.customerId}</dd>
          <dt>Resource</dt>
          <dd>{r.resourceId}</dd>
          <dt>Period</dt>
          <dd>{time(r.startsAt)} → {time(r.endsAt)}</dd>
          <dt>Amount</dt>
          <dd>{money(r.amount, r.currency)}</dd>
          <dt>Payment id</dt>
          <dd><Id value={r.paymentId} /></dd>
          <dt>Correlation id</dt>
          <dd data-testid="correlation-id"><Id value={correlationId} /></dd>
          <dt>Payment deadline</dt>
          <dd>{time(r.paymentDeadline)}</dd>
          {r.cancellationReason ? (
            <>
              <dt>Cancelled</dt>
              <dd>{r.cancellationReason}{r.cancellationNote ? ` — ${r.cancellationNote}` : ''}</dd>
            </>
          ) : null}
        </dl>
      </Panel>
      <div className="columns">
        <Panel title={<>Saga {saga ? <Badge value={saga.state} /> : null}</>} testId="saga">
          {saga ? <SagaFacts saga={saga} /> : <SagaMissing error={d.saga.error} />}
          <SagaDiagram state={saga?.state ?? null} />
        </Panel>
        <Panel title={<>Payment {d.payment.value ? <Badge value={d.payment.value.status} /> : null}</>} testId="payment">
          {d.payment.value ? <PaymentFacts p={d.payment.value} /> : <p className="muted">no payment yet: it starts once ReservationCreated reaches the payment module</p>}
        </Panel>
      </div>
      <Panel title="Timeline" testId="timeline">
        {saga ? <Timeline steps={saga.steps} /> : <p className="muted">no steps yet</p>}
      </Panel>
      <Panel title="Compensations" testId="compensations">
        <Compensations saga={saga} />
      </Panel>
      <div className="columns">
        <Panel title="Reservation history">
          {has(PENDING.reservationHistory) ? <History events={d.reservationHistory.value} error={d.reservationHistory.error} /> : <NotAvailable what="The reservation's event history" needs={PENDING.reservationHistory} />}
        </Panel>
        <Panel title="Payment history">
          {has(PENDING.paymentHistory) ? <History events={d.paymentHistory.value} error={d.paymentHistory.error} /> : <NotAvailable what="The payment's event history" needs={PENDING.paymentHistory} />}
        </Panel>
      </div>
    </div>
  );
}

function SagaMissing({ error }: { error: unknown }) {
  if (errorCode(error) === 'NOT_FOUND') return <p className="muted">the saga has not started yet (it starts once ReservationCreated reaches it)</p>;
  return <ErrorNote error={error} />;
}

function SagaFacts({ saga }: { saga: Saga }) {
  return (
    <dl className="facts">
      <dt>Mode</dt>
      <dd>{saga.mode}</dd>
      <dt>Started</dt>
      <dd>{time(saga.startedAt, true)}</dd>
      <dt>Ended</dt>
      <dd>{saga.endedAt ? time(saga.endedAt, true) : <span className="muted">running</span>}</dd>
      <dt>Version</dt>
      <dd>{saga.version}</dd>
    </dl>
  );
}

function PaymentFacts({ p }: { p: Payment }) {
  const ops = (label: string, list: Payment['captures']) => (
    <>
      <h3>{label}</h3>
      {list.length === 0 ? (
        <p className="muted">none</p>
      ) : (
        <ul className="plain" data-testid={label.toLowerCase()}>
          {list.map((o, i) => (
            <li key={i}>
              {money(o.amount, p.currency)} at {time(o.at, true)} {o.providerRef ? <Id value={o.providerRef} /> : null}
            </li>
          ))}
        </ul>
      )}
    </>
  );
  return (
    <>
      <dl className="facts">
        <dt>Payment id</dt>
        <dd><Id value={p.paymentId} /></dd>
        <dt>Amount</dt>
        <dd>{money(p.amount, p.currency)}</dd>
        <dt>Captured</dt>
        <dd>{money(p.capturedAmount, p.currency)}</dd>
        <dt>Refunded</dt>
        <dd>{money(p.refundedAmount, p.currency)}</dd>
        {p.declineCode ? (
          <>
            <dt>Declined</dt>
            <dd>{p.declineCode}: {p.declineMessage}</dd>
          </>
        ) : null}
      </dl>
      {ops('Captures', p.captures)}
      {ops('Refunds', p.refunds)}
    </>
  );
}

/** The saga's step log, oldest first: what happened, when, on which attempt, and how it moved the state. */
function Timeline({ steps }: { steps: Step[] }) {
  if (steps.length === 0) return <p className="muted">no steps yet</p>;
  return (
    <ol className="timeline">
      {steps.map((s, i) => (
        <li key={i} className={`step step-${s.kind}`} data-testid="step" data-kind={s.kind} data-type={s.type} data-message-id={s.messageId ?? ''}>
          <div className="step-time">{time(s.at, true)}</div>
          <div className="step-body">
            <div className="step-head">
              <Badge value={s.kind} /> <strong title={s.type}>{typeName(s.type)}</strong>
              <span className="muted small">{s.type}</span>
              {s.attempt > 1 ? <span className="attempt">attempt {s.attempt}</span> : <span className="muted small">attempt {s.attempt}</span>}
            </div>
            <div className="step-state">
              {s.stateBefore || s.stateAfter ? (
                <>
                  <Badge value={s.stateBefore ?? 'START'} /> → <Badge value={s.stateAfter ?? s.stateBefore} />
                  {s.stateBefore === s.stateAfter ? <span className="muted small"> (no change)</span> : null}
                </>
              ) : null}
              <span className="outcome">{s.outcome}</span>
            </div>
            <div className="step-ids small">
              message <Id value={s.messageId} /> · correlation <Id value={s.correlationId} /> · causation <Id value={s.causationId} />
            </div>
          </div>
        </li>
      ))}
    </ol>
  );
}

function Compensations({ saga }: { saga: Saga | null }) {
  if (!saga) return <p className="muted">none</p>;
  const sent = saga.steps.filter((s) => s.kind === 'compensation');
  return (
    <>
      {saga.pendingCompensations.length > 0 ? (
        <p>
          waiting for: {saga.pendingCompensations.map((c) => <Badge key={c} value={c} />)}
        </p>
      ) : null}
      {sent.length === 0 ? (
        <p className="muted">none{saga.state === 'CONFIRMED' ? ' (the saga confirmed; nothing to undo)' : ''}</p>
      ) : (
        <ul className="plain">
          {sent.map((s, i) => (
            <li key={i}>
              {time(s.at, true)} <strong>{typeName(s.type)}</strong> · {s.outcome} · attempt {s.attempt}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function History({ events, error }: { events: HistoryEvent[] | null; error: unknown }) {
  if (error) return <ErrorNote error={error} />;
  if (!events || events.length === 0) return <p className="muted">no events yet</p>;
  return (
    <ol className="plain history">
      {events.map((e, i) => (
        <li key={i}>
          {time(e.at ?? e.occurredAt, true)} <strong title={e.type}>{typeName(e.type)}</strong>
          {e.version !== undefined ? <span className="muted small"> v{e.version}</span> : null} <Id value={e.messageId ?? e.id} />
        </li>
      ))}
    </ol>
  );
}
