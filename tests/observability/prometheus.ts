import parsePrometheusTextFormat, { type PrometheusFamily } from 'parse-prometheus-text-format';

export interface Scrape {
  families: PrometheusFamily[];
  /** A counter's or gauge's value for exactly these labels (0 when there is no such series). */
  value(name: string, labels: Record<string, string>): number;
  /** How many observations a histogram holds for exactly these labels. */
  count(name: string, labels: Record<string, string>): number;
  /** Every label value of every series, to check that none is an id. */
  labelValues(): string[];
}

const same = (a: Record<string, string> | undefined, b: Record<string, string>) => {
  const keys = Object.keys(b);
  return a !== undefined && Object.keys(a).length === keys.length && keys.every((k) => a[k] === b[k]);
};

/**
 * Reads a /metrics scrape with parse-prometheus-text-format (which refuses a malformed exposition).
 * That parser folds a labelled histogram's series into one, so histogram counts are read from the
 * `<name>_count{...}` sample lines themselves.
 */
export function readScrape(text: string): Scrape {
  const families = parsePrometheusTextFormat(text);
  const counts = text
    .split('\n')
    .map((line) => /^(\w+)_count\{(.*)\} (\S+)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ name: m[1] as string, labels: Object.fromEntries([...(m[2] as string).matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]])), value: Number(m[3]) }));
  return {
    families,
    value(name, labels) {
      const family = families.find((f) => f.name === name);
      if (!family) throw new Error(`no metric ${name} in the scrape`);
      return Number(family.metrics.find((s) => same(s.labels, labels))?.value ?? 0);
    },
    count(name, labels) {
      if (!families.some((f) => f.name === name && f.type === 'HISTOGRAM')) throw new Error(`no histogram ${name} in the scrape`);
      return counts.find((c) => c.name === name && same(c.labels as Record<string, string>, labels))?.value ?? 0;
    },
    labelValues: () => families.flatMap((f) => f.metrics.flatMap((s) => Object.values(s.labels ?? {}))),
  };
}
