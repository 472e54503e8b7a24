import { sagaDiagram } from '../saga/diagram';
import type { SagaQueries } from '../saga/saga-queries';
import { followSagaInput } from '../saga/saga-changes';
import { getSagaInput, listSagasInput } from '../saga/saga-queries';
import { publicProcedure, router, trackedBy } from './trpc';

/** `saga.get` / `saga.list` / `saga.onChange`: the saga's state and step log, in either mode; `saga.diagram`: the definition as Mermaid. */
export const createSagaRouter = (q: () => SagaQueries) =>
  router({
    get: publicProcedure.input(getSagaInput).query(({ input }) => q().get(input)),
    list: publicProcedure.input(listSagasInput).query(({ input }) => q().list(input)),
    diagram: publicProcedure.query(() => sagaDiagram()),
    // SSE; each step's id is its id in the log, so a client resuming with Last-Event-ID misses nothing.
    onChange: publicProcedure.input(followSagaInput).subscription(({ input, signal }) => trackedBy(q().follow(input, signal), (s) => String(s.id))),
  });
