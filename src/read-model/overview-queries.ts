import { z } from 'zod';
import { iso } from '../platform/clock';
import { NotFoundError } from '../platform/errors';
import { reservationStatus } from '../modules/reservation/contracts/events';
import { toFacts, type StoredRow } from './infrastructure/overview-table';
import type { ReadModelStore } from './infrastructure/read-model-store';
import type { Lag } from './lag';
import { overviewPaymentStatus, toOverview, type Overview } from './overview';
import { sagaStateOf } from './saga-state';

const id = z.string().min(1).max(100);
/** Any ISO 8601 instant, compared as the read model writes times (UTC, milliseconds). */
const instant = z.iso.datetime({ offset: true }).transform((s) => iso(Date.parse(s)));

export const getOverviewInput = z.object({ id }).strict();

export const listOverviewInput = z
  .object({
    status: reservationStatus.optional(),
    customerId: id.optional(),
    resourceId: id.optional(),
    paymentStatus: overviewPaymentStatus.optional(),
    /** Created at or after this instant. */
    from: instant.optional(),
    /** Created before this instant. */
    to: instant.optional(),
    cursor: id.optional(),
    limit: z.number().int().min(1).max(200).default(50),
  })
  .strict()
  .refine((i) => !i.from || !i.to || i.from < i.to, { message: 'from must be before to: the range is [from, to) of the reservation’s createdAt', path: ['to'] });

export type GetOverviewInput = z.input<typeof getOverviewInput>;
export type ListOverviewInput = z.input<typeof listOverviewInput>;

/** How fresh an answer is: what the live generation has not applied yet, and whether a rebuild is under way. */
export interface Freshness {
  lag: Lag;
  rebuilding: boolean;
}
export interface OverviewPage extends Freshness {
  items: Overview[];
  nextCursor: string | null;
}
export interface OverviewAnswer extends Freshness {
  item: Overview;
}

export const overviewOf = (row: StoredRow): Overview => {
  const facts = toFacts(row);
  return toOverview(facts, sagaStateOf(facts)) as Overview;
};

/** `overview.list` / `overview.get`: answers from the live generation, each with its freshness. */
export function overviewQueries(store: ReadModelStore, live: () => number, freshness: () => Freshness) {
  return {
    get(raw: GetOverviewInput): OverviewAnswer {
      const input = getOverviewInput.parse(raw);
      const row = store.overview.shown(live(), input.id);
      const fresh = freshness();
      if (!row) {
        throw new NotFoundError(
          `no reservation "${input.id}" in the read model (yet): a reservation appears once its ReservationCreated is applied (${fresh.lag.events} events not applied yet); reservation.get reads the write side`,
        );
      }
      return { item: overviewOf(row), ...fresh };
    },
    list(raw: ListOverviewInput): OverviewPage {
      const input = listOverviewInput.parse(raw);
      const rows = store.overview.list(live(), { ...input, limit: input.limit + 1 });
      const items = rows.slice(0, input.limit).map(overviewOf);
      return { items, nextCursor: rows.length > input.limit ? (items[items.length - 1]?.id ?? null) : null, ...freshness() };
    },
  };
}
export type OverviewQueries = ReturnType<typeof overviewQueries>;
