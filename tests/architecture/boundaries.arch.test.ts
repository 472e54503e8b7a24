import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readImports } from './imports';
import { checkRules, findCycles } from './rules';

const root = resolve(import.meta.dirname, '../..');

describe('module boundaries', () => {
  const edges = readImports(root);

  it('reads the real import graph', () => {
    expect(edges.some((e) => e.from === 'src/bus/router.ts' && e.to === 'src/bus/ports.ts')).toBe(true);
  });

  it('keeps every house rule', () => {
    expect(checkRules(edges)).toEqual([]);
  });

  it('has no import cycles', () => {
    expect(findCycles(edges)).toEqual([]);
  });

  it('would catch the violations it is meant to catch', () => {
    const bad = [
      { from: 'src/bus/router.ts', to: 'src/modules/payment/index.ts', external: false, typeOnly: false },
      { from: 'src/modules/payment/application/charge.ts', to: 'src/modules/reservation/domain/state.ts', external: false, typeOnly: false },
      { from: 'src/saga/workflow.ts', to: 'src/modules/payment/index.ts', external: false, typeOnly: false },
      { from: 'src/modules/reservation/domain/decide.ts', to: 'better-sqlite3', external: true, typeOnly: false },
      { from: 'src/modules/reservation/contracts/events.ts', to: 'src/bus/router.ts', external: false, typeOnly: false },
      { from: 'src/api/server.ts', to: 'eventemitter3', external: true, typeOnly: false },
      { from: 'src/bus/outbox/relay.ts', to: 'tsyringe', external: true, typeOnly: false },
      { from: 'src/read-model/projector.ts', to: 'src/modules/payment/infrastructure/payment-store.ts', external: false, typeOnly: false },
      { from: 'src/read-model/saga-state.ts', to: 'src/saga/infrastructure/saga-store.ts', external: false, typeOnly: false },
    ];
    const flagged = new Set(checkRules(bad).map((v) => v.edge));
    expect(flagged.size).toBe(bad.length);
    expect(findCycles([
      { from: 'a.ts', to: 'b.ts', external: false, typeOnly: false },
      { from: 'b.ts', to: 'a.ts', external: false, typeOnly: false },
    ])).toHaveLength(1);
  });
});
