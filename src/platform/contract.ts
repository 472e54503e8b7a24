import type { z } from 'zod';

/**
 * A versioned message contract: name + version + zod payload schema; the TS type is inferred from it.
 * A leaf (zod only), so module contracts depend on nothing of the bus.
 */
export interface Contract<S extends z.ZodType = z.ZodType> {
  readonly type: string;
  readonly version: number;
  /** `type.vN`, e.g. `reservation.ReservationCreated.v1`. */
  readonly name: string;
  readonly schema: S;
  /** Top-level payload fields that views (logs, dead-letter listings) must mask. */
  readonly sensitive: readonly string[];
  /** How a payload of the version right before this one becomes one of this version; null for a first version. */
  readonly upcastFrom: Upcast | null;
}

/** One step up a contract's version chain: a valid payload of `from` in, a payload of the next version out. */
export interface Upcast {
  readonly from: Contract;
  readonly up: (older: unknown) => unknown;
}

export type PayloadOf<C extends Contract> = z.infer<C['schema']>;

export interface ContractOptions<S extends z.ZodType, F extends Contract> {
  sensitive?: readonly string[];
  /** A breaking change gets a new version; this says how its previous version's payloads are lifted to it. */
  upcastFrom?: { from: F; up: (older: PayloadOf<F>) => z.input<S> };
}

export function defineContract<S extends z.ZodType, F extends Contract = Contract>(
  type: string,
  version: number,
  schema: S,
  options: ContractOptions<S, F> = {},
): Contract<S> {
  const u = options.upcastFrom;
  if (u && (u.from.type !== type || u.from.version !== version - 1)) {
    throw new Error(`${type}.v${version} cannot upcast from ${u.from.name}: an upcaster lifts the version right before (${type}.v${version - 1}) of the same type`);
  }
  const upcastFrom: Upcast | null = u ? { from: u.from, up: u.up as (older: unknown) => unknown } : null;
  return { type, version, name: `${type}.v${version}`, schema, sensitive: options.sensitive ?? [], upcastFrom };
}
