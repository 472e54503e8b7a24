import { z } from 'zod';
import { NotFoundError } from '../platform/errors';
import { SAGA_STATES, type SagaMode, type SagaState } from './definition';
import type { InstanceRow, SagaStore, StepRow } from './infrastructure/saga-store';
import { followSaga } from './saga-changes';

export const getSagaInput = z.object({ reservationId: z.string().min(1).max(100) }).strict();
export const listSagasInput = z
  .object({
    state: z.enum(SAGA_STATES).optional(),
    cursor: z.string().min(1).max(100).optional(),
    limit: z.number().int().min(1).max(200).default(50),
  })
  .strict();

export interface SagaView {
  reservationId: string;
  mode: SagaMode;
  state: SagaState;
  startedAt: string;
  endedAt: string | null;
  version: number;
  /** Compensations sent and not answered yet. */
  pendingCompensations: string[];
  steps: StepRow[];
}

const view = (i: InstanceRow, steps: StepRow[]): SagaView => ({
  reservationId: i.reservationId,
  mode: i.mode,
  state: i.state,
  startedAt: i.startedAt,
  endedAt: i.endedAt,
  version: i.version,
  pendingCompensations: i.data.pending,
  steps,
});

/** `saga.get`, `saga.list` and `saga.onChange`: the same answers in both modes (saga.db holds the orchestrator's or the observer's log). */
export function sagaQueries(store: SagaStore) {
  return {
    follow: followSaga(store),
    get(raw: z.input<typeof getSagaInput>): SagaView {
      const { reservationId } = getSagaInput.parse(raw);
      const i = store.get(reservationId);
      if (!i) throw new NotFoundError(`no saga for reservation "${reservationId}" (yet): it starts once ReservationCreated reaches the saga`);
      return view(i, store.steps(reservationId));
    },
    list(raw: z.input<typeof listSagasInput>): { items: Array<Omit<SagaView, 'steps'>>; nextCursor: string | null } {
      const { state, cursor, limit } = listSagasInput.parse(raw);
      const rows = store.list(state, cursor, limit + 1);
      const page = rows.slice(0, limit);
      return {
        items: page.map((i) => {
          const { steps: _s, ...rest } = view(i, []);
          return rest;
        }),
        nextCursor: rows.length > limit ? (page[page.length - 1]?.reservationId ?? null) : null,
      };
    },
  };
}
export type SagaQueries = ReturnType<typeof sagaQueries>;
