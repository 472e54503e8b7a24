import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppRouter } from '../../src/api/router';
import { createCallerFactory } from '../../src/api/trpc';
import { tempDir } from '../../src/bus/testing/temp-dir';
import type { App } from '../../src/app';
import { buildApp } from '../../src/compose';
import { loadConfig } from '../../src/config';
import { silentLogger } from '../../src/platform/logger';
import { sagaDiagram } from '../../src/saga/diagram';
import { SCENARIO_ENV } from '../scenarios/system';

let app: App;
const makeCaller = () => createCallerFactory(createAppRouter(app))({ authorization: null, adminToken: 'x'.repeat(20) });
let api: ReturnType<typeof makeCaller>;

beforeAll(async () => {
  app = buildApp(loadConfig({ ...SCENARIO_ENV, DATA_DIR: tempDir('system-'), SAGA_MODE: 'orchestration' }), { logger: silentLogger });
  await app.start();
  api = makeCaller();
});
afterAll(() => app.stop());

describe('system.info and saga.diagram (public, for the dashboard)', () => {
  it('says which saga mode, transport and modules this process runs, and every procedure it answers', async () => {
    const info = await api.system.info();
    expect(info).toMatchObject({ sagaMode: 'orchestration', transport: 'memory', modules: ['reservation', 'payment'] });
    expect(info.procedures).toEqual(expect.arrayContaining(['reservation.create', 'saga.get', 'saga.diagram', 'admin.deadLetters.replay', 'system.info']));
    expect(info.procedures).toEqual([...info.procedures].sort());
  });

  it('serves the Mermaid source of the saga definition without a token', async () => {
    expect(await api.saga.diagram()).toBe(sagaDiagram());
  });
});
