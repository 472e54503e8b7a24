import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { CellHistogram } from './cell-histogram';

describe('CellHistogram', () => {
  it("writes the same exposition as prom-client's histogram for the same observations", async () => {
    const bounds = [0.001, 0.01, 0.1, 1];
    const ours = new Registry();
    const theirs = new Registry();
    const cell = new CellHistogram('t_seconds', 'A test histogram.', ['group', 'type'], bounds, [ours]);
    const reference = new Histogram({ name: 't_seconds', help: 'A test histogram.', labelNames: ['group', 'type'], buckets: bounds, registers: [theirs] });
    const values = [0, 0.0005, 0.001, 0.002, 0.01, 0.05, 0.5, 1, 3, 12.5];
    const a = cell.labels('payment', 'x.Y');
    const b = cell.labels('read "model"', 'x.Z'); // a label value that must be escaped
    for (const v of values) {
      a.observe(v);
      reference.labels('payment', 'x.Y').observe(v);
    }
    b.observe(0.02);
    reference.labels('read "model"', 'x.Z').observe(0.02);
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(() => a.observe(Number.NaN)).toThrow(TypeError);
    ours.resetMetrics();
    expect(await ours.metrics()).toContain('t_seconds_count{group="payment",type="x.Y"} 0');
  });
});
