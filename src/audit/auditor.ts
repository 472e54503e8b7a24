import { createEnvelope, type Envelope } from '../bus/envelope';
import type { Settlement } from '../bus/ports';
import { iso, type Clock, type TimerHandle } from '../platform/clock';
import { CategorizedError, NotFoundError } from '../platform/errors';
import type { Logger } from '../platform/logger';
import { RefundRequested } from '../modules/payment/contracts/events';
import { findDivergences, SlotSweep, type AuditedReservation, type AuditSnapshot, type ConvergenceWindow, type Finding } from './find-divergences';
import type { AuditStore, TrailEntry } from './infrastructure/audit-store';

/** What the auditor reads and does, wired by the composition root from the facades (it imports no module). */
/** One page of an audit: `last` is its last reservation id, or null on the last page (whose range has no upper end). */
export type AuditPage = AuditSnapshot & { last: string | null };

export interface AuditPorts {
  /**
   * Reservations after `after` in id order (at most `limit`), with every other record keyed by a
   * reservation id in (after, last] — or above `after` on the last page — so the pages partition the ids.
   */
  page(now: number, after: string, limit: number): AuditPage;
  /** PENDING and CONFIRMED reservations by resource, start and id, after `after` (that order's last row), at most `limit`. */
  heldSlots(after: AuditedReservation | null, limit: number): readonly AuditedReservation[];
  /** The payment id payment recorded for a reservation, if any. */
  paymentIdOf(reservationId: string): string | null;
  /** Every message recorded for a reservation by any module here (events, payment events, saga commands). */
  messagesOf(reservationId: string): Envelope[];
  /** The consumer groups of this process that take a message type. */
  groupsFor(type: string, version: number): readonly string[];
  redeliver(group: string, envelope: Envelope): Promise<Settlement>;
  publish(envelope: Envelope): Promise<void>;
}

export interface AuditReport {
  at: string;
  reservations: number;
  /** Real violations: older than the saga's time to converge. */
  violations: Array<Finding & { firstSeenAt: string; lastedMs: number }>;
  /** Disagreements young enough to be work in flight. */
  inFlight: Array<Finding & { firstSeenAt: string; lastedMs: number }>;
  clean: boolean;
}

export class ManualRepairNeeded extends CategorizedError {
  override name = 'ManualRepairNeeded';
  readonly category = 'invalid';
}

/**
 * Compares every module's records with the others and with the provider's ledger, remembers what it found
 * (audit.db), and never repairs on its own: each kind has a named repair an operator triggers, written to
 * the audit trail.
 */
export class Auditor {
  private timer: TimerHandle | null = null;
  private running: Promise<void> | null = null;
  private last: AuditReport | null = null;

  constructor(
    private readonly ports: AuditPorts,
    private readonly store: AuditStore,
    private readonly window: ConvergenceWindow,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly onReport: (r: AuditReport) => void = () => {},
    /** Reservations per page (AUDIT_PAGE_SIZE): the audit holds one page of every module's records at a time, whatever the data's size. */
    private readonly pageSize = 2_000,
  ) {}

  /** A whole audit at once (admin.audit.run, npm run audit, before a repair). */
  run(): AuditReport {
    const pages = this.pages(this.clock.now());
    let step = pages.next();
    while (!step.done) step = pages.next();
    return step.value;
  }

  /** The periodic audit: the same pages, with a turn of the event loop between two, so traffic keeps flowing. */
  async runInTurns(): Promise<AuditReport> {
    const pages = this.pages(this.clock.now());
    let step = pages.next();
    while (!step.done) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      step = pages.next();
    }
    return step.value;
  }

  /** Reads and checks one page per step, then sweeps the held slots and reports. */
  private *pages(now: number): Generator<void, AuditReport> {
    const findings: Finding[] = [];
    let reservations = 0;
    for (let after = ''; ; ) {
      const page = this.ports.page(now, after, this.pageSize);
      findings.push(...findDivergences(page, this.window));
      reservations += page.reservations.length;
      if (page.last === null) break;
      after = page.last;
      yield;
    }
    const sweep = new SlotSweep();
    for (let after: AuditedReservation | null = null; ; ) {
      const held = this.ports.heldSlots(after, this.pageSize);
      findings.push(...sweep.add(held));
      if (held.length < this.pageSize) break;
      after = held[held.length - 1] as AuditedReservation;
      yield;
    }
    return this.report(now, reservations, findings);
  }

  private report(now: number, reservations: number, findings: Finding[]): AuditReport {
    const at = iso(now);
    const firstSeen = this.store.recordRun(at, reservations, findings);
    const dated = findings.map((f) => {
      const firstSeenAt = firstSeen.get(f.id) ?? at;
      return { ...f, firstSeenAt, lastedMs: Math.max(0, now - Math.min(Date.parse(firstSeenAt), Date.parse(f.since))) };
    });
    const report: AuditReport = { at, reservations, violations: dated.filter((f) => !f.inFlight), inFlight: dated.filter((f) => f.inFlight), clean: dated.every((f) => f.inFlight) };
    for (const v of report.violations) this.log.warn({ finding: v.id, kind: v.kind, reservationId: v.reservationId, lastedMs: v.lastedMs, repair: v.repair }, `consistency audit: ${v.detail}`);
    this.last = report;
    this.onReport(report);
    return report;
  }

  lastReport(): AuditReport | null {
    return this.last;
  }

  /** Runs the named repair of a finding the latest audit reported; the audit trail records what was done. */
  async repair(findingId: string): Promise<TrailEntry> {
    const report = this.run();
    const f = [...report.violations, ...report.inFlight].find((x) => x.id === findingId);
    if (!f) throw new NotFoundError(`no open finding "${findingId}" (it may have resolved itself); run admin.audit.run() to see the current ones`);
    const at = iso(this.clock.now());
    let outcome: string;
    if (f.repair === 'manual') {
      outcome = 'refused: needs an operator at the provider or the customer';
      this.store.addTrail({ at, findingId, repair: f.repair, outcome });
      throw new ManualRepairNeeded(`${f.kind} has no automatic repair: ${f.detail}; settle it with the provider or the customer`);
    }
    if (f.repair === 'request-refund') {
      const paymentId = this.ports.paymentIdOf(f.reservationId);
      if (!paymentId) {
        outcome = 'refused: payment has no record of this charge';
        this.store.addTrail({ at, findingId, repair: f.repair, outcome });
        throw new ManualRepairNeeded(`${f.detail}; payment has no record to refund from, so refund it at the provider`);
      }
      // Payment's own refund command: the provider gives back its whole remaining net for the charge, once per message.
      await this.ports.publish(createEnvelope(RefundRequested, { reservationId: f.reservationId, paymentId }, { key: f.reservationId, occurredAt: at, correlationId: f.reservationId, headers: { 'x-audit-repair': findingId } }));
      outcome = 'RefundRequested sent: payment refunds whatever the provider still holds';
    } else {
      let sent = 0;
      const settlements: Record<string, number> = {};
      for (const e of this.ports.messagesOf(f.reservationId)) {
        for (const group of this.ports.groupsFor(e.type, e.version)) {
          const s = await this.ports.redeliver(group, e);
          settlements[s.kind] = (settlements[s.kind] ?? 0) + 1;
          sent++;
        }
      }
      outcome = `redelivered ${sent} recorded messages to the groups that take them (${Object.entries(settlements).map(([k, n]) => `${n} ${k}`).join(', ') || 'none'})`;
    }
    const entry = { at, findingId, repair: f.repair, outcome };
    this.store.addTrail(entry);
    this.log.info({ finding: findingId, repair: f.repair }, `consistency audit repair: ${outcome}`);
    return entry;
  }

  trail(limit?: number): TrailEntry[] {
    return this.store.trail(limit);
  }

  /** Runs every `intervalMs` (0: never); a failing run is logged and tried at the next interval. */
  start(intervalMs: number): void {
    if (intervalMs <= 0) return;
    const tick = () => {
      this.timer = this.clock.setTimeout(() => {
        this.running = this.runInTurns()
          .then(() => undefined)
          .catch((error: unknown) => void this.log.error({ err: error }, 'consistency audit failed; trying again at the next interval'))
          .finally(() => {
            this.running = null;
            if (this.timer) tick();
          });
      }, intervalMs);
    };
    tick();
  }

  /** Stops the timer; a periodic audit under way finishes its pages first. */
  async stop(): Promise<void> {
    this.timer?.cancel();
    this.timer = null;
    await this.running;
  }

  close(): void {
    this.timer?.cancel();
    this.timer = null;
    this.store.close();
  }
}
