import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * patches/@trpc+server+*.patch (applied by `postinstall`) makes tRPC's middleware runner build each
 * call's options with native object spread instead of its bundled `_objectSpread2` helper, the larger part
 * of a procedure call's cost (measured in docs/performance.md). If tRPC is upgraded and the patch no longer
 * applies, `patch-package --error-on-fail` stops the install; this test catches a checkout whose
 * node_modules were installed without the postinstall step.
 */
describe('the tRPC patch', () => {
  it('is applied: the middleware runner spreads natively', () => {
    const dist = dirname(fileURLToPath(import.meta.resolve('@trpc/server')));
    const files = readdirSync(dist).filter((f) => /^initTRPC-.*\.(mjs|cjs)$/.test(f));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const source = readFileSync(join(dist, f), 'utf8');
      const runner = source.slice(source.indexOf('async function callRecursive'), source.indexOf('function createProcedureCaller'));
      expect(runner, f).toContain('...opts');
      expect(runner, f).not.toContain('_objectSpread2');
    }
  });
});
