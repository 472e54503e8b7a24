import type { ChaosReport } from './run-chaos';

const s = (ms: number | null) => (ms === null ? 'never' : `${(ms / 1000).toFixed(1)} s`);

/** The figures of a run as aligned lines, then every violation and finding in full. */
export function formatReport(r: ChaosReport): string[] {
  const { sagas, deadLetters } = r.final;
  const c = r.faults;
  const rows: Array<[string, string]> = [
    ['mode, seed, length', `${r.options.mode}, seed ${r.options.seed}, ${r.options.minutes} min at ${r.options.rate} creates/s (faults and load lasted ${s(r.faultPhaseMs)})`],
    ['sagas (answered creates)', `${sagas.total}: ${sagas.confirmed} CONFIRMED, ${sagas.cancelled.PAYMENT_DECLINED} declined, ${sagas.cancelled.PAYMENT_TIMEOUT} timed out, ${sagas.cancelled.CUSTOMER_CANCELLED} cancelled by the customer`],
    ['creates refused (slot taken)', String(r.load.refusedSlotTaken)],
    ['requests sent again (same key)', String(r.load.resent)],
    ['SIGKILLs', `${c['kill-reservation'] + c['kill-payment']} (reservation ${c['kill-reservation']}, payment ${c['kill-payment']})`],
    ['broker restarts', String(c['broker-restart'])],
    ['network cuts', `${c['network-cut']} (connections refused while cut: ${r.proxy.refused}; through the proxy: ${r.proxy.connections})`],
    ['provider outages', String(c['provider-outage'])],
    ['time to converge after healing', s(r.convergeMs)],
    ['dead letters', `${deadLetters.total} (replayed after healing: ${r.deadLettersReplayed.length}, still open: ${deadLetters.open})`],
    ['invariant violations', String(r.final.violations.length)],
    ['findings (crashes, failed starts, refusals)', String(r.findings.length)],
    ['verdict', r.ok ? 'OK: every saga terminal, every invariant holds' : 'FAILED'],
  ];
  const w = Math.max(...rows.map(([a]) => a.length));
  const lines = rows.map(([a, b]) => `${a.padEnd(w)}  ${b}`);
  for (const v of r.final.violations) lines.push(`violation: ${v}`);
  for (const f of r.findings) lines.push(`finding: ${f}`);
  if (r.keptDataDir) lines.push(`data and process logs kept in ${r.keptDataDir}`);
  return lines;
}
