import { sagaDiagram } from '../saga/diagram';
import type { SagaQueries } from '../saga/saga-queries';
import { getSagaInput, listSagasInput } from '../saga/saga-queries';
import { publicProcedure, router } from './trpc';

/** `saga.get` / `saga.list`: the saga's state and step log, in either mode; `saga.diagram`: the definition as Mermaid. */
export const createSagaRouter = (q: () => SagaQueries) =>
  router({
    get: publicProcedure.input(getSagaInput).query(({ input }) => q().get(input)),
    list: publicProcedure.input(listSagasInput).query(({ input }) => q().list(input)),
    diagram: publicProcedure.query(() => sagaDiagram()),
  });
