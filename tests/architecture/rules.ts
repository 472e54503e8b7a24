import type { ImportEdge } from './imports';

/** A broken rule, said so that the fix is obvious. */
export interface Violation {
  rule: string;
  edge: string;
}

const moduleOf = (p: string): string | null => /^src\/modules\/([^/]+)\//.exec(p)?.[1] ?? null;
const isUnder = (p: string, dir: string) => p.startsWith(dir);

/** The command line, the App and the one composition root: the only files outside api/ that see module facades. */
const ROOT_FILES = ['src/main.ts', 'src/app.ts', 'src/compose.ts', 'src/compose-observability.ts'];

type Rule = { name: string; broken: (e: ImportEdge) => boolean };

const RULES: Rule[] = [
  {
    name: 'the bus imports no module, saga or api',
    broken: (e) => isUnder(e.from, 'src/bus/') && !e.external && /^src\/(modules|saga|api)\//.test(e.to),
  },
  {
    name: 'a module reaches another module only through its contracts/',
    broken: (e) => {
      const a = moduleOf(e.from);
      const b = moduleOf(e.to);
      return !e.external && a !== null && b !== null && a !== b && !/^src\/modules\/[^/]+\/contracts\//.test(e.to);
    },
  },
  {
    name: 'the saga, the auditor and the read model import only module contracts (never a module index or internals)',
    broken: (e) =>
      /^src\/(saga|audit|read-model)\//.test(e.from) && !e.external && isUnder(e.to, 'src/modules/') && !/^src\/modules\/[^/]+\/contracts\//.test(e.to),
  },
  {
    name: 'the read model imports only module contracts and the saga definition (never a module index, internals, or the saga runtime)',
    broken: (e) =>
      isUnder(e.from, 'src/read-model/') &&
      !e.external &&
      ((isUnder(e.to, 'src/modules/') && !/^src\/modules\/[^/]+\/contracts\//.test(e.to)) || (isUnder(e.to, 'src/saga/') && !['src/saga/advance.ts', 'src/saga/definition.ts'].includes(e.to))),
  },
  {
    name: "only api/ and main.ts use a module's index.ts",
    broken: (e) =>
      !e.external && /^src\/modules\/[^/]+\/index\.ts$/.test(e.to) && moduleOf(e.from) === null && !isUnder(e.from, 'src/api/') && !ROOT_FILES.includes(e.from),
  },
  {
    name: 'contracts are leaves: zod and the contract helper (platform/contract.ts) only, never the bus',
    broken: (e) =>
      /^src\/modules\/[^/]+\/contracts\//.test(e.from) &&
      (e.external ? e.to !== 'zod' : !(e.to === 'src/platform/contract.ts' || e.to.startsWith(e.from.replace(/contracts\/.*$/, 'contracts/')))),
  },
  {
    name: 'domain code is pure: no SQLite, DI, tRPC, bus or event emitter',
    broken: (e) =>
      /^src\/modules\/[^/]+\/domain\//.test(e.from) &&
      (e.external ? ['better-sqlite3', 'tsyringe', '@trpc/server', 'eventemitter3', 'pino', 'amqplib'].includes(e.to) || e.to.startsWith('node:') : /^src\/(bus|api)\//.test(e.to) || /\/(infrastructure|application|api)\//.test(e.to)),
  },
  {
    name: 'better-sqlite3 only in infrastructure/, platform/ and bus/ stores',
    broken: (e) => e.external && e.to === 'better-sqlite3' && !(isUnder(e.from, 'src/platform/') || isUnder(e.from, 'src/bus/') || /\/infrastructure\//.test(e.from)),
  },
  {
    name: 'eventemitter3 only in bus/memory/',
    broken: (e) => e.external && e.to === 'eventemitter3' && !isUnder(e.from, 'src/bus/memory/'),
  },
  {
    name: 'tsyringe only in the composition root, the token list and the module entry classes',
    broken: (e) =>
      e.external && e.to === 'tsyringe' && !(ROOT_FILES.includes(e.from) || e.from === 'src/platform/tokens.ts' || /^src\/modules\/[^/]+\/index\.ts$/.test(e.from)),
  },
  {
    name: 'only api/trpc.ts creates tRPC (and the HTTP adapters serve it); modules use its base procedures',
    broken: (e) => e.external && e.to === '@trpc/server' && !['src/api/trpc.ts', 'src/api/server.ts', 'src/api/fast-path.ts'].includes(e.from),
  },
];

export function checkRules(edges: readonly ImportEdge[]): Violation[] {
  const out: Violation[] = [];
  for (const e of edges) for (const r of RULES) if (r.broken(e)) out.push({ rule: r.name, edge: `${e.from} → ${e.to}` });
  return out;
}

/** Import cycles among local files, each as the path that closes it. */
export function findCycles(edges: readonly ImportEdge[]): string[][] {
  const graph = new Map<string, string[]>();
  // Type-only imports count too: a cycle of types still ties two files together (a router and its facade).
  for (const e of edges) if (!e.external) graph.set(e.from, [...(graph.get(e.from) ?? []), e.to]);
  const state = new Map<string, 'visiting' | 'done'>();
  const cycles: string[][] = [];
  const visit = (node: string, path: string[]) => {
    if (state.get(node) === 'done') return;
    if (state.get(node) === 'visiting') {
      cycles.push([...path.slice(path.indexOf(node)), node]);
      return;
    }
    state.set(node, 'visiting');
    for (const next of graph.get(node) ?? []) visit(next, [...path, node]);
    state.set(node, 'done');
  };
  for (const node of graph.keys()) visit(node, []);
  return cycles;
}
