import { z } from 'zod';
import type { Contract } from '../platform/contract';
import type { Envelope } from './envelope';
import { SchemaError } from './errors';

/** The contracts from the one at `version` up to `target`, oldest first; null when `target`'s upcasters do not reach back that far. */
function chainFrom(target: Contract, version: number): Contract[] | null {
  const chain: Contract[] = [target];
  for (let c = target; c.version > version; ) {
    if (!c.upcastFrom) return null;
    c = c.upcastFrom.from;
    chain.unshift(c);
  }
  return chain[0]?.version === version ? chain : null;
}

const parse = (c: Contract, payload: unknown): unknown => {
  const parsed = c.schema.safeParse(payload);
  if (!parsed.success) throw new SchemaError(`payload of ${c.name} is invalid: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
};

/**
 * A payload written with version `version` of `target`'s type, lifted to `target`: checked against its
 * own version's schema first (so a broken old message is refused with what was wrong in it), then each
 * upcaster in turn, each result checked against the next version. Throws SchemaError.
 */
export function liftPayload(target: Contract, version: number, payload: unknown): unknown {
  const chain = chainFrom(target, version);
  if (!chain) throw new SchemaError(`${target.type} version ${version} cannot be lifted to ${target.name}: no upcaster chain reaches back to it`);
  let p = parse(chain[0] as Contract, payload);
  for (const c of chain.slice(1)) p = parse(c, (c.upcastFrom as NonNullable<Contract['upcastFrom']>).up(p));
  return p;
}

/**
 * What a reader knows (the contracts it reads with) and how to lift older envelopes to them. Messages
 * and stored rows are never rewritten: an envelope is lifted when it is decoded (by the schema check,
 * the event store's loads, an outbox's history), so old streams, broker backlogs, delayed retries and
 * dead letters all stay readable after a contract gets a new version.
 */
export class Upcasters {
  /** Per type, the newest version this reader knows. */
  private readonly newest = new Map<string, Contract>();
  private readonly exact = new Map<string, Map<number, Contract>>();

  constructor(readers: readonly Contract[]) {
    for (const c of readers) {
      const n = this.newest.get(c.type);
      if (!n || n.version < c.version) this.newest.set(c.type, c);
      this.exact.set(c.type, (this.exact.get(c.type) ?? new Map<number, Contract>()).set(c.version, c));
    }
  }

  /** The contract a (type, version) is read with: the very one if known, else the newest it lifts to; undefined when neither. */
  contractFor(type: string, version: number): Contract | undefined {
    const known = this.exact.get(type)?.get(version);
    if (known) return known;
    const n = this.newest.get(type);
    return n && chainFrom(n, version) ? n : undefined;
  }

  /** The envelope as this reader reads it: as it is when its version is known (or nothing lifts it), else lifted. Throws SchemaError. */
  lift(envelope: Envelope): Envelope {
    const c = this.contractFor(envelope.type, envelope.version);
    if (!c || c.version === envelope.version) return envelope;
    return { ...envelope, version: c.version, payload: liftPayload(c, envelope.version, envelope.payload) };
  }

  /** Every contract this reader can read: the ones it knows and every older version their upcasters reach. */
  readable(): Contract[] {
    const all = new Map<string, Contract>();
    for (const versions of this.exact.values()) {
      for (const c of versions.values()) for (let k: Contract | null = c; k; k = k.upcastFrom?.from ?? null) all.set(k.name, k);
    }
    return [...all.values()];
  }
}
