import { upperBound } from '../../../platform/id-range';
import { setTimeout as sleep } from 'node:timers/promises';
import { iso, type Clock } from '../../../platform/clock';
import { newId } from '../../../platform/ids';
import { GroupCommit } from '../../../platform/group-commit';
import { openDatabase, type Db } from '../../../platform/sqlite';
import type { ChargeOutcome } from '../domain/payment';
import {
  ProviderUnavailableError,
  type ChargeRequest,
  type PaymentGateway,
  type ProviderControl,
  type RefundRequest,
  type RefundResult,
} from '../application/payment-gateway';

const PROVIDER_SQL = `
CREATE TABLE charges (key TEXT PRIMARY KEY, amount INTEGER NOT NULL, currency TEXT NOT NULL, outcome TEXT NOT NULL, code TEXT, message TEXT, ref TEXT, at TEXT NOT NULL);
CREATE TABLE refunds (key TEXT PRIMARY KEY, charge_key TEXT NOT NULL, amount INTEGER NOT NULL, ref TEXT, at TEXT NOT NULL);
CREATE INDEX refunds_by_charge ON refunds (charge_key);
CREATE TABLE attempts (key TEXT PRIMARY KEY, n INTEGER NOT NULL);
CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

export interface LedgerEntry {
  chargeKey: string;
  captures: number;
  captured: number;
  refunds: number;
  refunded: number;
  net: number;
}

interface ChargeRow {
  amount: number;
  outcome: 'captured' | 'declined';
  code: string | null;
  message: string | null;
  ref: string | null;
}

const FLAKY_FAILURES = 2;

/**
 * A payment provider with its own ledger (provider.db), answering by test token like a real provider's
 * test cards: `tok_ok…` approves, `tok_decline…` declines, `tok_flaky…` fails transiently twice then
 * approves, `tok_outage…` always fails transiently, anything else is declined as invalid.
 * Idempotency keys are honoured: a key never captures twice and a repeated call returns the first answer.
 */
export class SimulatedProvider implements PaymentGateway, ProviderControl {
  private readonly db: Db;
  private readonly st;
  /** Read once, written through: asked on every call. */
  private outage: boolean;
  private readonly writes: GroupCommit;

  constructor(
    file: string,
    private readonly clock: Clock,
    private readonly latencyMs = 0,
  ) {
    this.db = openDatabase(file, [PROVIDER_SQL]);
    const db = this.db;
    this.st = {
      charge: db.prepare<[string], ChargeRow>('SELECT amount, outcome, code, message, ref FROM charges WHERE key = ?'),
      insertCharge: db.prepare('INSERT OR IGNORE INTO charges VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      refund: db.prepare<[string], { amount: number; ref: string | null }>('SELECT amount, ref FROM refunds WHERE key = ?'),
      refundedFor: db.prepare<[string], { s: number }>('SELECT COALESCE(SUM(amount), 0) AS s FROM refunds WHERE charge_key = ?'),
      insertRefund: db.prepare('INSERT INTO refunds VALUES (?, ?, ?, ?, ?)'),
      bumpAttempt: db.prepare<[string], { n: number }>('INSERT INTO attempts VALUES (?, 1) ON CONFLICT (key) DO UPDATE SET n = n + 1 RETURNING n'),
      getSetting: db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE name = ?'),
      setSetting: db.prepare('INSERT OR REPLACE INTO settings VALUES (?, ?)'),
      ledger: db.prepare<[string, string], LedgerEntry>(`
        SELECT c.key AS chargeKey,
               CASE c.outcome WHEN 'captured' THEN 1 ELSE 0 END AS captures,
               CASE c.outcome WHEN 'captured' THEN c.amount ELSE 0 END AS captured,
               (SELECT COUNT(*) FROM refunds r WHERE r.charge_key = c.key AND r.amount > 0) AS refunds,
               (SELECT COALESCE(SUM(amount), 0) FROM refunds r WHERE r.charge_key = c.key) AS refunded,
               0 AS net
        FROM charges c WHERE c.key > ? AND c.key <= ?`),
    };
    this.outage = this.st.getSetting.get('outage')?.value === '1';
    this.writes = new GroupCommit(this.db);
  }

  async charge(req: ChargeRequest): Promise<ChargeOutcome> {
    await this.latency();
    this.failIfOutage();
    let attempt = 0;
    if (req.token.startsWith('tok_flaky')) {
      const prior = this.st.charge.get(req.idempotencyKey);
      if (prior) return toOutcome(prior); // answered before: a repeat must not use up a failure
      // Its own write, so a transient failure still uses up one of the flaky token's failures.
      attempt = await this.writes.run(() => this.st.bumpAttempt.get(req.idempotencyKey)?.n ?? 1);
    }
    return this.writes.run((): ChargeOutcome => {
      const answer = this.answerFor(req, attempt);
      const at = iso(this.clock.now());
      // Insert-or-ignore: the first answer for a key stands; a repeat gets that one back.
      const inserted =
        answer.outcome === 'captured'
          ? this.st.insertCharge.run(req.idempotencyKey, req.amount, req.currency, 'captured', null, null, answer.providerRef, at)
          : this.st.insertCharge.run(req.idempotencyKey, req.amount, req.currency, 'declined', answer.code, answer.message, null, at);
      if (inserted.changes === 1) return answer;
      return toOutcome(this.st.charge.get(req.idempotencyKey) as ChargeRow);
    });
  }

  async refund(req: RefundRequest): Promise<RefundResult> {
    await this.latency();
    this.failIfOutage();
    return this.writes.run(() => {
      const charge = this.st.charge.get(req.chargeKey);
      const captured = charge?.outcome === 'captured' ? charge.amount : 0;
      const before = this.st.refundedFor.get(req.chargeKey)?.s ?? 0;
      const prior = this.st.refund.get(req.idempotencyKey);
      if (prior) return { refunded: prior.amount, captured, refundedTotal: before, providerRef: prior.ref };
      const amount = Math.max(0, captured - before);
      const ref = amount > 0 ? `re_${newId()}` : null;
      this.st.insertRefund.run(req.idempotencyKey, req.chargeKey, amount, ref, iso(this.clock.now()));
      return { refunded: amount, captured, refundedTotal: before + amount, providerRef: ref };
    });
  }

  setOutage(on: boolean): void {
    this.st.setSetting.run('outage', on ? '1' : '0');
    this.outage = on;
  }

  isInOutage(): boolean {
    return this.outage;
  }

  /**
   * Per charge key: captures, refunds and the net the provider holds. What invariant 3 is checked against.
   * Keys in (after, upTo] when given (the auditor's pages; upTo null: no upper bound), else every key.
   */
  ledger(range: { after: string; upTo: string | null } = { after: '', upTo: null }): Map<string, LedgerEntry> {
    return new Map(this.st.ledger.all(range.after, upperBound(range.upTo)).map((e) => [e.chargeKey, { ...e, net: e.captured - e.refunded }]));
  }

  close(): void {
    this.writes.flush();
    this.db.close();
  }

  private answerFor(req: ChargeRequest, attempt: number): ChargeOutcome {
    const approve = (): ChargeOutcome => ({ outcome: 'captured', amount: req.amount, providerRef: `ch_${newId()}` });
    const t = req.token;
    if (t.startsWith('tok_ok')) return approve();
    if (t.startsWith('tok_decline')) return { outcome: 'declined', code: 'card_declined', message: 'the card was declined' };
    if (t.startsWith('tok_flaky')) {
      if (attempt <= FLAKY_FAILURES) throw new ProviderUnavailableError(`provider timed out (flaky token, attempt ${attempt})`);
      return approve();
    }
    if (t.startsWith('tok_outage')) throw new ProviderUnavailableError('provider unavailable (outage token)');
    return { outcome: 'declined', code: 'invalid_token', message: 'the payment token is not valid' };
  }

  private failIfOutage(): void {
    if (this.isInOutage()) throw new ProviderUnavailableError('provider unavailable (operator outage switch is on)');
  }

  private async latency(): Promise<void> {
    if (this.latencyMs > 0) await sleep(this.latencyMs);
  }
}

const toOutcome = (r: ChargeRow): ChargeOutcome =>
  r.outcome === 'captured'
    ? { outcome: 'captured', amount: r.amount, providerRef: r.ref ?? '' }
    : { outcome: 'declined', code: r.code ?? 'declined', message: r.message ?? '' };
