export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Prometheus text exposition → samples (comments, HELP and TYPE lines skipped). */
export function parsePrometheus(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    const l = line.trim();
    if (!l || l.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(l);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const pair of (m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1] as string] = pair[2] as string;
    const value = Number(m[4]);
    if (!Number.isNaN(value)) out.push({ name: m[1] as string, labels, value });
  }
  return out;
}

const sum = (samples: Sample[], re: RegExp): number | null => {
  const hit = samples.filter((s) => re.test(s.name) && !/_(bucket|count|sum|created)$/.test(s.name));
  return hit.length ? hit.reduce((a, s) => a + s.value, 0) : null;
};

export interface Figures {
  sagasEnded: number | null;
  outboxPending: number | null;
  deadLetters: number | null;
  projectionLagEvents: number | null;
}

/** The samples named exactly `name` (with `labels` among theirs), summed; null when there are none. */
const exact = (samples: Sample[], name: string, labels: Record<string, string> = {}): number | null => {
  const hit = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return hit.length ? hit.reduce((a, s) => a + s.value, 0) : null;
};

/**
 * The operations page's four figures, by the names the server's /metrics uses (src/platform/metrics.ts):
 * sagas ended = saga_duration_seconds_count (one per saga reaching its terminal state), outbox_pending_messages,
 * bus_dead_letters{status="open"}, projection_lag_events. Other names are matched by pattern, for a server
 * that names them differently.
 */
export function figures(samples: Sample[]): Figures {
  return {
    sagasEnded: exact(samples, 'saga_duration_seconds_count') ?? sum(samples, /^sagas?_(completed|ended|finished)(_total)?$/) ?? sum(samples, /saga.*(completed|ended|finished).*_total$/),
    outboxPending: exact(samples, 'outbox_pending_messages') ?? sum(samples, /outbox.*(pending|backlog|undispatched)/),
    deadLetters: exact(samples, 'bus_dead_letters', { status: 'open' }) ?? (samples.some((s) => s.name === 'bus_dead_letters') ? 0 : sum(samples, /dead_?letters?(_open|_count|_total)?$/)),
    projectionLagEvents: exact(samples, 'projection_lag_events') ?? sum(samples, /(projection|read_model|overview).*lag.*events|(projection|read_model).*lag$/),
  };
}
