import type { DeadLetter, DeadLetterPage, Group, Operation } from './admin-client';
import { clip, formatFields, formatTable } from './table';

// How `npm run dlq` shows what the admin API returns when --json is not given.

export function groupsView(groups: readonly Group[]): string[] {
  if (groups.length === 0) return ['no open dead letters'];
  return formatTable(
    ['fingerprint', 'count', 'group', 'type', 'error', 'first seen', 'last seen', 'sample'],
    groups.map((g) => [g.fingerprint, String(g.count), g.group, g.type, g.errorType, g.firstSeen, g.lastSeen, clip(g.sampleMessage, 60)]),
  );
}

export function listView(page: DeadLetterPage): string[] {
  if (page.items.length === 0) return ['no dead letters match'];
  const lines = formatTable(
    ['id', 'status', 'group', 'type', 'attempts', 'last failed', 'fingerprint', 'error'],
    page.items.map((d) => [d.id, d.status, d.group, d.type, String(d.attempts), d.lastFailedAt, d.fingerprint, clip(d.errorMessage, 60)]),
  );
  if (page.nextCursor) lines.push(`more: add --cursor ${page.nextCursor}`);
  return lines;
}

export function deadLetterView(d: DeadLetter): string[] {
  const replays = d.replays.length === 0 ? 'none' : d.replays.map((r) => `${r.at} ${r.outcome}`).join(', ');
  return [
    ...formatFields([
      ['id', d.id],
      ['status', d.status],
      ['group', d.group],
      ['type', `${d.type} v${d.version}`],
      ['message id', d.messageId],
      ['fingerprint', d.fingerprint],
      ['error', `${d.errorType}: ${d.errorMessage}`],
      ['attempts', String(d.attempts)],
      ['first failed', d.firstFailedAt],
      ['last failed', d.lastFailedAt],
      ['replays', replays],
    ]),
    '',
    'envelope (sensitive fields masked):',
    ...JSON.stringify(d.envelope, null, 2).split('\n'),
    ...(d.errorStack ? ['', 'stack:', ...d.errorStack.split('\n')] : []),
  ];
}

export const progress = (op: Operation): string => `${op.done}/${op.total} done, ${op.failed} failed`;

/** The end of a group replay: its outcome, each failure, and a warning when the group kept growing. */
export function operationView(op: Operation): string[] {
  const lines = formatFields([
    ['operation', op.id],
    ['status', op.status],
    ['fingerprint', op.fingerprint],
    ['group', `${op.group} / ${op.type} / ${op.errorType}`],
    ['progress', progress(op)],
    ['new failures', String(op.newFailuresDuringReplay)],
    ['started', op.startedAt],
    ['ended', op.endedAt ?? '-'],
    ...(op.error ? ([['error', op.error]] as const) : []),
  ]);
  for (const f of op.failures) lines.push(`  failed ${f.id}: ${clip(f.error, 100)}`);
  if (op.failed > op.failures.length) lines.push(`  … and ${op.failed - op.failures.length} more (dlq list --fingerprint ${op.fingerprint} --status open)`);
  if (op.newFailuresDuringReplay > 0) {
    lines.push(`warning: ${op.newFailuresDuringReplay} dead letter(s) joined this group while it was replayed; the cause may not be fixed yet`);
  }
  return lines;
}

export function operationsView(ops: readonly Operation[]): string[] {
  if (ops.length === 0) return ['no operations'];
  return formatTable(
    ['id', 'status', 'fingerprint', 'group', 'progress', 'failed', 'new failures', 'started'],
    ops.map((o) => [o.id, o.status, o.fingerprint, o.group, `${o.done}/${o.total}`, String(o.failed), String(o.newFailuresDuringReplay), o.startedAt]),
  );
}
