import { useState, type FormEvent } from 'react';
import { errorMessage, trpc, type Outputs } from '../api/client';
import { Panel } from './bits';

type Reservation = Outputs['reservation']['get'];
const TOKENS = [
  ['tok_ok', 'approves'],
  ['tok_decline', 'declines'],
  ['tok_flaky', 'fails twice, then approves'],
  ['tok_outage', 'always fails transiently'],
] as const;

/** A free one-hour slot far enough ahead that demo reservations never clash. */
function randomSlot(): { startsAt: string; endsAt: string } {
  const start = Date.UTC(2031, 0, 1, 10) + Math.floor(Math.random() * 1_000_000) * 3_600_000;
  return { startsAt: new Date(start).toISOString(), endsAt: new Date(start + 3_600_000).toISOString() };
}

/** Creates a reservation against the simulated provider, to watch its saga run (test tokens as in the README). */
export function CreateReservation({ onCreated }: { onCreated: (r: Reservation) => void }) {
  const [customerId, setCustomerId] = useState('customer-42');
  const [resourceId, setResourceId] = useState('meeting-room-1');
  const [amount, setAmount] = useState('5000');
  const [currency, setCurrency] = useState('EUR');
  const [paymentToken, setToken] = useState<string>('tok_ok');
  const [result, setResult] = useState<{ ok: string } | { error: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      const r = await trpc.reservation.create.mutate({ customerId, resourceId, amount: Number(amount), currency, paymentToken, ...randomSlot() });
      setResult({ ok: `created ${r.id} (${r.status})` });
      onCreated(r);
    } catch (error) {
      setResult({ error: errorMessage(error) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Panel title="Create a test reservation" testId="create-reservation">
      <form className="filters" onSubmit={submit}>
        <label>
          Customer
          <input value={customerId} onChange={(e) => setCustomerId(e.target.value)} name="new-customerId" required />
        </label>
        <label>
          Resource
          <input value={resourceId} onChange={(e) => setResourceId(e.target.value)} name="new-resourceId" required />
        </label>
        <label>
          Amount (minor units)
          <input value={amount} onChange={(e) => setAmount(e.target.value)} name="new-amount" inputMode="numeric" required />
        </label>
        <label>
          Currency
          <input value={currency} onChange={(e) => setCurrency(e.target.value.toUpperCase())} name="new-currency" maxLength={3} required />
        </label>
        <label>
          Payment token
          <select value={paymentToken} onChange={(e) => setToken(e.target.value)} name="new-paymentToken">
            {TOKENS.map(([t, what]) => (
              <option key={t} value={t}>
                {t} ({what})
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={busy}>
          {busy ? 'Creating…' : 'Create'}
        </button>
      </form>
      <p className="muted small">A random one-hour slot in 2031 or later is used, so test reservations never overlap.</p>
      {result && 'ok' in result ? <p className="note" data-testid="created">{result.ok}</p> : null}
      {result && 'error' in result ? (
        <p className="note note-error" role="alert">
          {result.error}
        </p>
      ) : null}
    </Panel>
  );
}
