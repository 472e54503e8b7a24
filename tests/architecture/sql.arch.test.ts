import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : [];
  });

describe('SQL only through prepared statements', () => {
  const sources = files(join(root, 'src')).map((f) => ({ file: relative(root, f), text: readFileSync(f, 'utf8') }));

  it('runs raw SQL (exec) only to apply migrations', () => {
    const offenders = sources.filter((s) => /\.exec\(/.test(s.text) && s.file !== 'src/platform/sqlite.ts').map((s) => s.file);
    expect(offenders).toEqual([]);
  });

  it('never builds SQL from values: the only interpolation is a WHERE clause of fixed, placeholder-bound conditions or a constant SQL fragment', () => {
    const offenders: string[] = [];
    for (const s of sources) {
      // A module-level constant holding a plain string literal (a column list, say) may be interpolated.
      const constants = new Set([...s.text.matchAll(/^const ([A-Z][A-Z_]*) =\s*'[^'$`]*';$/gm)].map((m) => m[1] as string));
      const fixed = (expr: string) => constants.has(expr.trim());
      for (const m of s.text.matchAll(/prepare(?:<[^>]*>)?\(\s*`([^`]*)`/g)) {
        for (const expr of (m[1] as string).matchAll(/\$\{([^}]*)\}/g)) {
          if (!/^\s*where\.length \? `WHERE \$\{where\.join\(' AND '\)\s*$/.test(expr[1] as string) && !/^where/.test((expr[1] as string).trim()) && !fixed(expr[1] as string)) {
            offenders.push(`${s.file}: \${${expr[1]}}`);
          }
        }
      }
      // Dynamic statements are built as `sql` strings: they may only join fixed condition strings.
      for (const m of s.text.matchAll(/const sql = `([^`]*)`/g)) {
        for (const expr of (m[1] as string).matchAll(/\$\{([^}]*)\}/g)) {
          if (!(expr[1] as string).includes("where.join(' AND ')") && !(expr[1] as string).trim().startsWith('where.length') && !fixed(expr[1] as string)) offenders.push(`${s.file}: \${${expr[1]}}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });
});
