import { MODULES, type ModuleName } from '../app';
import type { Config } from '../config';
import { publicProcedure, router } from './trpc';

/** What `system.info` reads: the process's settings and which modules it runs (the App offers both). */
export interface SystemServices {
  readonly config: Pick<Config, 'SAGA_MODE' | 'BUS'>;
  runs(name: ModuleName): boolean;
}

export interface SystemInfo {
  sagaMode: Config['SAGA_MODE'];
  transport: Config['BUS'];
  modules: ModuleName[];
  /**
   * Every procedure path this server answers, so a client (the dashboard) uses what exists and says
   * what does not, instead of calling a missing procedure and getting a 404.
   */
  procedures: string[];
}

/** The app router as `system.info` sees it (a named type, so the router can hand itself in lazily). */
export interface ListsProcedures {
  _def: { procedures: object };
}

/** `system.info`: public, nothing secret (no token, no paths on disk). */
export const createSystemRouter = (s: SystemServices, appRouter: () => ListsProcedures) =>
  router({
    info: publicProcedure.query(
      (): SystemInfo => ({
        sagaMode: s.config.SAGA_MODE,
        transport: s.config.BUS,
        modules: MODULES.filter((m) => s.runs(m)),
        procedures: Object.keys(appRouter()._def.procedures).sort(),
      }),
    ),
  });
