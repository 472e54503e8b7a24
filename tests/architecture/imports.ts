import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

export interface ImportEdge {
  from: string; // repo-relative path of the importing file
  to: string; // repo-relative path (resolved) or a bare package name
  external: boolean;
  /** `import type …`: erased at run time, so it cannot form a run-time cycle. */
  typeOnly: boolean;
}

const IMPORT_RE = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|(?:^|\n)\s*import\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function resolveLocal(fromFile: string, spec: string): string {
  const base = resolve(dirname(fromFile), spec);
  for (const candidate of [`${base}.ts`, join(base, 'index.ts'), base]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // try the next candidate
    }
  }
  return `${base}.ts`;
}

/** Every import in the source tree under `root/src`, excluding test files (tests may compose freely). */
export function readImports(root: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of walk(join(root, 'src'))) {
    if (file.endsWith('.test.ts')) continue;
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(IMPORT_RE)) {
      const spec = (m[1] ?? m[2] ?? m[3]) as string;
      const from = relative(root, file);
      const typeOnly = /^\s*(import|export)\s+type\s/.test(m[0]);
      if (spec.startsWith('.')) edges.push({ from, to: relative(root, resolveLocal(file, spec)), external: false, typeOnly });
      else edges.push({ from, to: spec.startsWith('node:') ? spec : spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/'), external: true, typeOnly });
    }
  }
  return edges;
}
