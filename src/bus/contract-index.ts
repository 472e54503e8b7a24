import type { Contract } from './envelope';

/**
 * Contracts by type, then version: the per-message lookup of the schema check and of the batch path,
 * without building a `type@version` key string per message. A later contract of the same type and
 * version replaces an earlier one.
 */
export function contractIndex(contracts: readonly Contract[]): (type: string, version: number) => Contract | undefined {
  const byType = new Map<string, Map<number, Contract>>();
  for (const c of contracts) byType.set(c.type, (byType.get(c.type) ?? new Map<number, Contract>()).set(c.version, c));
  return (type, version) => byType.get(type)?.get(version);
}
