import type { Outputs } from './client';
import { untyped } from './client';

/**
 * Procedures issue 17 names that other work is adding to the server. Until AppRouter has them they are
 * called by path, only when system.info lists them, with the shapes below (taken from the issue's
 * wording). When one lands: call it through `trpc.<path>` instead, delete its type here, and let the
 * compiler show any difference. Each use is marked `FALLBACK(<name>)` where the page also works without.
 */
export const PENDING = {
  overviewList: 'overview.list',
  overviewGet: 'overview.get',
  reservationHistory: 'reservation.history',
  paymentHistory: 'payment.history',
  reservationOnChange: 'reservation.onChange',
  sagaOnChange: 'saga.onChange',
  deadLetterGroups: 'admin.deadLetters.groups',
  replayGroup: 'admin.deadLetters.replayGroup',
  operationGet: 'admin.operations.get',
  operationCancel: 'admin.operations.cancel',
} as const;

type Reservation = Outputs['reservation']['get'];

export interface Lag {
  events: number;
  ms: number;
}

/** A row of the read model's overview: the reservation joined with its payment. */
export interface OverviewRow extends Partial<Reservation> {
  id: string;
  status: Reservation['status'];
  paymentStatus?: string | null;
}

export interface OverviewFilter {
  status?: string;
  customerId?: string;
  resourceId?: string;
  paymentStatus?: string;
  from?: string;
  to?: string;
  cursor?: string;
  limit?: number;
}

export interface OverviewPage {
  items: OverviewRow[];
  nextCursor: string | null;
  lag: Lag;
  rebuilding: boolean;
}

/** `overview.get` answers one row with the lag; the row may be nested or inline, so both are read. */
export type OverviewOne = ({ item?: OverviewRow | null; reservation?: OverviewRow | null } | OverviewRow) & { lag: Lag; rebuilding: boolean };

export interface HistoryEvent {
  type: string;
  version?: number;
  at?: string;
  occurredAt?: string;
  messageId?: string;
  id?: string;
  payload?: unknown;
}

export interface DeadLetterGroup {
  fingerprint: string;
  count: number;
  firstSeen: string;
  lastSeen: string;
  sampleError: string;
  group?: string;
  type?: string;
}

export interface Operation {
  id: string;
  status: string;
  progress?: { done: number; total: number; failed?: number };
  failures?: Array<{ deadLetterId?: string; id?: string; error?: string; message?: string }>;
  startedAt?: string;
  endedAt?: string | null;
}

const items = <T>(answer: unknown): T[] =>
  Array.isArray(answer) ? (answer as T[]) : (((answer as { items?: T[]; events?: T[]; groups?: T[] }).items ?? (answer as { events?: T[] }).events ?? (answer as { groups?: T[] }).groups ?? []) as T[]);

export const pending = {
  overviewList: (f: OverviewFilter) => untyped.query(PENDING.overviewList, f) as Promise<OverviewPage>,
  overviewGet: (id: string) => untyped.query(PENDING.overviewGet, { id }) as Promise<OverviewOne>,
  reservationHistory: async (id: string) => items<HistoryEvent>(await untyped.query(PENDING.reservationHistory, { id })),
  paymentHistory: async (reservationId: string) => items<HistoryEvent>(await untyped.query(PENDING.paymentHistory, { reservationId })),
  deadLetterGroups: async () => items<DeadLetterGroup>(await untyped.query(PENDING.deadLetterGroups, undefined)),
  replayGroup: async (fingerprint: string): Promise<string> => {
    const a = (await untyped.mutation(PENDING.replayGroup, { fingerprint })) as string | { operationId?: string; id?: string };
    return typeof a === 'string' ? a : (a.operationId ?? a.id ?? '');
  },
  operationGet: (id: string) => untyped.query(PENDING.operationGet, { id }) as Promise<Operation>,
  operationCancel: (id: string) => untyped.mutation(PENDING.operationCancel, { id }),
};

/** The row inside an `overview.get` answer, wherever it is. */
export const overviewRowOf = (a: OverviewOne): OverviewRow | null =>
  'item' in a && a.item !== undefined ? a.item : 'reservation' in a && a.reservation !== undefined ? a.reservation : 'id' in a ? (a as OverviewRow) : null;
