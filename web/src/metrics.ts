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

/**
 * The operations page's four figures, found by name. METRICS: the names are matched by pattern because
 * /metrics is being built beside this page; pin them to the real names once it lands.
 */
export function figures(samples: Sample[]): Figures {
  return {
    sagasEnded: sum(samples, /^sagas?_(completed|ended|finished)(_total)?$/) ?? sum(samples, /saga.*(completed|ended|finished).*_total$/),
    outboxPending: sum(samples, /outbox.*(pending|backlog|undispatched)/),
    deadLetters: sum(samples, /dead_?letters?(_open|_count|_total)?$/),
    projectionLagEvents: sum(samples, /(projection|read_model|overview).*lag.*events|(projection|read_model).*lag$/),
  };
}
