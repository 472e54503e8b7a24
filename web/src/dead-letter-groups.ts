/** What grouping needs of a dead letter (the admin API's record has these fields). */
export interface DeadLetterLike {
  id: string;
  group: string;
  type: string;
  errorMessage: string;
  firstFailedAt: string;
  lastFailedAt: string;
}

export interface LocalGroup<D extends DeadLetterLike> {
  fingerprint: string;
  count: number;
  firstSeen: string;
  lastSeen: string;
  sampleError: string;
  group: string;
  type: string;
  records: D[];
}

/**
 * The failure's cause without what differs per message (ids, numbers, quoted values), so dead letters
 * that failed for the same reason fall into one group.
 */
export function normaliseError(message: string): string {
  return message
    .replace(/"[^"]*"/g, '"…"')
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<id>')
    .replace(/\b[0-9A-HJKMNP-TV-Z]{26}\b/g, '<id>')
    .replace(/\d+/g, '#')
    .trim();
}

export const fingerprintOf = (d: DeadLetterLike): string => `${d.group} · ${d.type} · ${normaliseError(d.errorMessage)}`;

/**
 * FALLBACK(admin.deadLetters.groups): the browser groups the open dead letters it listed by the same kind
 * of fingerprint (consumer group, message type, normalised error). Largest group first.
 */
export function groupDeadLetters<D extends DeadLetterLike>(items: readonly D[]): LocalGroup<D>[] {
  const groups = new Map<string, LocalGroup<D>>();
  for (const d of items) {
    const fp = fingerprintOf(d);
    const g = groups.get(fp);
    if (!g) {
      groups.set(fp, { fingerprint: fp, count: 1, firstSeen: d.firstFailedAt, lastSeen: d.lastFailedAt, sampleError: d.errorMessage, group: d.group, type: d.type, records: [d] });
      continue;
    }
    g.count += 1;
    g.records.push(d);
    if (d.firstFailedAt < g.firstSeen) g.firstSeen = d.firstFailedAt;
    if (d.lastFailedAt > g.lastSeen) g.lastSeen = d.lastFailedAt;
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || b.lastSeen.localeCompare(a.lastSeen));
}

/** Dead letters of a group that failed after its retry began and were not part of it: the operator should know. */
export function joinedDuring<D extends DeadLetterLike>(records: readonly D[], startedAt: string, retried: ReadonlySet<string>): D[] {
  return records.filter((d) => !retried.has(d.id) && d.lastFailedAt > startedAt);
}
