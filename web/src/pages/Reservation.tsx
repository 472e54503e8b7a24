import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { errorCode, trpc, type Outputs } from '../api/client';
import { Badge, ErrorNote, Id, Panel } from '../components/bits';
import { SagaDiagram } from '../components/SagaDiagram';
import { money, time, typeName } from '../format';
import { Link } from '../navigation';

type Saga = Outputs['saga']['get'];
type Step = Saga['steps'][number];
type Payment = Outputs['payment']['getByReservation'];
type ReservationEvent = Outputs['reservation']['history'][number];
type PaymentEntry = Outputs['payment']['history'][number];
const settled = <T,>(r: PromiseSettledResult<T>) => (r.status === 'fulfilled' ? { value: r.value, error: null } : { value: null, error: r.reason as unknown });

/**
 * Everything the page shows, asked for together: the calls travel as one batch, so while the saga or
 * the payment has not started yet its "not found" comes back inside a successful request.
 */
async function loadDetail(id: string) {
  const [reservation, saga, payment, reservationHistory, paymentHistory] = await Promise.allSettled([
    trpc.reservation.get.query({ id }),
    trpc.saga.get.query({ reservationId: id }),
    trpc.payment.getByReservation.query({ reservationId: id }),
    trpc.reservation.history.query({ id }),
    trpc.payment.history.query({ reservationId: id }),
  ]);
  return { reservation: settled(reservation), saga: settled(saga), payment: settled(payment), reservationHistory: settled(reservationHistory), paymentHistory: settled(paymentHistory) };
}

type Feed = 'connecting' | 'live' | 'ended' | 'lost';

/**
 * The page's live feed: reservation.onChange and saga.onChange over Server-Sent Events (httpSubscriptionLink,
 * which resumes from the last tracked event id after a dropped connection). Every pushed change refetches
 * the page's batch, so the timeline grows as the saga moves. No polling here.
 */
function useLiveDetail(id: string, key: readonly unknown[]): Feed {
  const qc = useQueryClient();
  const [reservationFeed, setReservationFeed] = useState<Feed>('connecting');
  const [sagaFeed, setSagaFeed] = useState<Feed>('connecting');
  useEffect(() => {
    const refresh = () => void qc.invalidateQueries({ queryKey: key });
    const handlers = (set: (f: Feed) => void) => ({
      onStarted: () => {
        set('live');
        refresh();
      },
      onData: refresh,
      onError: () => {
        set('lost');
        refresh();
      },
      onComplete: () => set('ended'),
    });
    const a = trpc.reservation.onChange.subscribe({ id }, handlers(setReservationFeed));
    const b = trpc.saga.onChange.subscribe({ reservationId: id }, handlers(setSagaFeed));
    return () => {
      a.unsubscribe();
      b.unsubscribe();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id, qc]);
  if (reservationFeed === 'lost' || sagaFeed === 'lost') return 'lost';
  if (reservationFeed === 'connecting' || sagaFeed === 'connecting') return 'connecting';
  return reservationFeed === 'ended' && sagaFeed === 'ended' ? 'ended' : 'live';
}

const FEED_SAID: Record<Feed, string> = {
  connecting: 'connecting to the live feed…',
  live: 'live (reservation.onChange + saga.onChange)',
  ended: 'final: the server closed the live feed (nothing more will change here)',
  lost: 'live feed lost: reload the page to reconnect',
};

export function ReservationDetail({ id }: { id: string }) {
  const key = ['detail', id];
  const feed = useLiveDetail(id, key);
  const detail = useQuery({ queryKey: key, queryFn: () => loadDetail(id) });
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
      <Panel title={<>Reservation <Badge value={r.status} /></>} actions={<span className="source" data-testid="feed" data-feed={feed}>{FEED_SAID[feed]}</span>}>
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
        <Panel title="Reservation history" testId="reservation-history">
          <ReservationHistory events={d.reservationHistory.value} error={d.reservationHistory.error} />
        </Panel>
        <Panel title="Payment history" testId="payment-history">
          <PaymentHistory entries={d.paymentHistory.value} error={d.paymentHistory.error} currency={r.currency} />
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

/** reservation.history: the stream's events, oldest first, with their contract version (and the stored one when upcast). */
function ReservationHistory({ events, error }: { events: ReservationEvent[] | null; error: unknown }) {
  if (error) return <ErrorNote error={error} />;
  if (!events || events.length === 0) return <p className="muted">no events yet</p>;
  return (
    <ol className="plain history">
      {events.map((e) => (
        <li key={e.version} data-testid="reservation-event" data-type={e.type}>
          {time(e.occurredAt, true)} <strong title={e.type}>{typeName(e.type)}</strong>
          <span className="muted small">
            {' '}
            #{e.version} · schema v{e.schemaVersion}
            {e.upcastFrom !== null ? ` (stored as v${e.upcastFrom}, upcast)` : ''}
          </span>{' '}
          <Id value={e.messageId} />
        </li>
      ))}
    </ol>
  );
}

/** payment.history: charge attempts (with the provider's answer), captures, refunds and published events, in order. */
function PaymentHistory({ entries, error, currency }: { entries: PaymentEntry[] | null; error: unknown; currency: string }) {
  if (errorCode(error) === 'NOT_FOUND') return <p className="muted">no payment yet</p>;
  if (error) return <ErrorNote error={error} />;
  if (!entries || entries.length === 0) return <p className="muted">nothing yet</p>;
  return (
    <ol className="plain history">
      {entries.map((e, i) => (
        <li key={i} data-testid="payment-entry" data-kind={e.kind}>
          {time(e.at, true)} <PaymentEntryText e={e} currency={currency} />
        </li>
      ))}
    </ol>
  );
}

function PaymentEntryText({ e, currency }: { e: PaymentEntry; currency: string }) {
  switch (e.kind) {
    case 'charge-attempt':
      return (
        <>
          <strong>charge attempt {e.attempt}</strong> → <Badge value={e.outcome ?? 'no answer'} />
          {e.code ? <span className="small"> {e.code}</span> : null}
          {e.message ? <span className="muted small"> {e.message}</span> : null}
          {e.providerRef ? <> <Id value={e.providerRef} /></> : null}
        </>
      );
    case 'capture':
    case 'refund':
      return (
        <>
          <strong>{e.kind}</strong> {money(e.amount, currency)} {e.providerRef ? <Id value={e.providerRef} /> : null}
        </>
      );
    case 'event':
      return (
        <>
          <strong title={e.type}>{typeName(e.type)}</strong>
          <span className="muted small">
            {' '}
            schema v{e.schemaVersion}
            {e.upcastFrom !== null ? ` (stored as v${e.upcastFrom}, upcast)` : ''}
          </span>{' '}
          <Id value={e.messageId} />
        </>
      );
  }
}
