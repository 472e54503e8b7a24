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
}

export type PayloadOf<C extends Contract> = z.infer<C['schema']>;

export function defineContract<S extends z.ZodType>(
  type: string,
  version: number,
  schema: S,
  options: { sensitive?: readonly string[] } = {},
): Contract<S> {
  return { type, version, name: `${type}.v${version}`, schema, sensitive: options.sensitive ?? [] };
}
