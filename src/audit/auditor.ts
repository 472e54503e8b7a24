import { createEnvelope, type Envelope } from '../bus/envelope';
import type { Settlement } from '../bus/ports';
import { iso, type Clock, type TimerHandle } from '../platform/clock';
import { CategorizedError, NotFoundError } from '../platform/errors';
import type { Logger } from '../platform/logger';
import { RefundRequested } from '../modules/payment/contracts/events';
import { findDivergences, type AuditSnapshot, type ConvergenceWindow, type Finding } from './find-divergences';
import type { AuditStore, TrailEntry } from './infrastructure/audit-store';

/** What the auditor reads and does, wired by the composition root from the facades (it imports no module). */
export interface AuditPorts {
  snapshot(now: number): AuditSnapshot;
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
  private last: AuditReport | null = null;

  constructor(
    private readonly ports: AuditPorts,
    private readonly store: AuditStore,
    private readonly window: ConvergenceWindow,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly onReport: (r: AuditReport) => void = () => {},
  ) {}

  run(): AuditReport {
    const now = this.clock.now();
    const snapshot = this.ports.snapshot(now);
    const findings = findDivergences(snapshot, this.window);
    const at = iso(now);
    const firstSeen = this.store.recordRun(at, snapshot.reservations.length, findings);
    const dated = findings.map((f) => {
      const firstSeenAt = firstSeen.get(f.id) ?? at;
      return { ...f, firstSeenAt, lastedMs: Math.max(0, now - Math.min(Date.parse(firstSeenAt), Date.parse(f.since))) };
    });
    const report: AuditReport = { at, reservations: snapshot.reservations.length, violations: dated.filter((f) => !f.inFlight), inFlight: dated.filter((f) => f.inFlight), clean: dated.every((f) => f.inFlight) };
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
      const paymentId = this.ports.snapshot(this.clock.now()).payments?.get(f.reservationId)?.paymentId;
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
        try {
          this.run();
        } catch (error) {
          this.log.error({ err: error }, 'consistency audit failed; trying again at the next interval');
        }
        tick();
      }, intervalMs);
    };
    tick();
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = null;
  }

  close(): void {
    this.stop();
    this.store.close();
  }
}
