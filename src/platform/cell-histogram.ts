import type { Metric, Registry } from 'prom-client';

/** One label set's buckets: plain numbers the hot path adds to. */
class HistogramCell {
  /** Observations per bucket (not cumulative): index i counts values in (bound[i-1], bound[i]]. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(
    readonly labels: Readonly<Record<string, string>>,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length);
  }
  observe(value: number): void {
    if (!Number.isFinite(value)) throw new TypeError(`histogram value is not a finite number: ${value}`);
    const b = this.bounds;
    for (let i = 0; i < b.length; i++) {
      if (value <= (b[i] as number)) {
        this.counts[i] = (this.counts[i] as number) + 1;
        break;
      }
    }
    this.sum += value;
    this.count++;
  }
}

/**
 * A Prometheus histogram whose label sets are cells, registered with prom-client's registry (which
 * writes the exposition, names and escaping included). prom-client's own histogram hashes the label set
 * and builds objects on every `observe`, even through a label child (one observation per delivery:
 * docs/performance.md); here a cell adds to numbers, and the buckets are read when scraped. The
 * buckets, `_sum`, `_count` and `le` labels are exactly prom-client's.
 */
export class CellHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly cells = new Map<string, HistogramCell>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly string[],
    private readonly bounds: readonly number[],
    registers: readonly Registry[],
  ) {
    for (const r of registers) r.registerMetric(this as unknown as Metric);
  }

  /** The cell for these label values (in `labelNames` order), made once and kept by the caller. */
  labels(...values: string[]): { observe(value: number): void } {
    const key = values.join('\u0000');
    let cell = this.cells.get(key);
    if (!cell) {
      cell = new HistogramCell(Object.fromEntries(this.labelNames.map((l, i) => [l, values[i] as string])), this.bounds);
      this.cells.set(key, cell);
    }
    return cell;
  }

  reset(): void {
    for (const c of this.cells.values()) {
      c.counts.fill(0);
      c.sum = 0;
      c.count = 0;
    }
  }

  async get() {
    const bucket = `${this.name}_bucket`;
    const values: Array<{ labels: Record<string, string | number>; value: number; metricName: string }> = [];
    for (const c of this.cells.values()) {
      let acc = 0;
      this.bounds.forEach((le, i) => {
        acc += c.counts[i] as number;
        values.push({ labels: { le, ...c.labels }, value: acc, metricName: bucket });
      });
      values.push({ labels: { le: '+Inf', ...c.labels }, value: c.count, metricName: bucket });
      values.push({ labels: { ...c.labels }, value: c.sum, metricName: `${this.name}_sum` });
      values.push({ labels: { ...c.labels }, value: c.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}
