import { rmSync } from 'node:fs';
import type { App } from '../../src/app';
import { tempDir } from '../../src/bus/testing/temp-dir';
import { buildApp } from '../../src/compose';
import { loadConfig } from '../../src/config';
import { ReservationCancelled, ReservationConfirmed } from '../../src/modules/reservation/contracts/events';
import { backgroundCheckpointer } from '../../src/platform/checkpointer';
import { silentLogger } from '../../src/platform/logger';
import { input, tokenFor } from '../../scripts/bench/saga-load';

/** The app as `npm start` builds it (in-memory bus, WAL, synchronous=NORMAL) on a temporary folder, counting ended sagas. */
export interface SoakApp {
  app: App;
  dataDir: string;
  /** Sagas created / ended so far (counters only: the soak must not hold per-saga state itself). */
  readonly created: number;
  readonly ended: number;
  readonly failed: number;
  /** Starts one saga; resolves once the create committed (a failure is counted, not thrown). */
  create(): Promise<void>;
  stop(): Promise<void>;
}

export async function startSoakApp(): Promise<SoakApp> {
  const dataDir = tempDir('soak-');
  const app = buildApp(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' }), { logger: silentLogger });
  let created = 0;
  let ended = 0;
  let failed = 0;
  app.bus.subscribe('soak-probe', [ReservationConfirmed, ReservationCancelled], () => {
    ended++;
  });
  await app.start();
  return {
    app,
    dataDir,
    get created() {
      return created;
    },
    get ended() {
      return ended;
    },
    get failed() {
      return failed;
    },
    create() {
      // 90% approved, 10% declined, each on its own slot (the bench's mix, from the bench's own inputs).
      return app.reservation.create(input(tokenFor(created++))).then(
        () => undefined,
        () => {
          failed++;
        },
      );
    },
    async stop() {
      await app.stop();
      await backgroundCheckpointer.sweep(); // the worker closes its connections to these files
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
