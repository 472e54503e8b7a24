import { join } from 'node:path';
import { silentLogger } from '../../platform/logger';
import { FakeClock } from '../testing/fake-clock';
import { tempDir } from '../testing/temp-dir';
import { transportContract } from '../testing/transport-contract';
import { createMemoryBus } from './index';

transportContract('memory', async (retry) => {
  const clock = new FakeClock();
  const m = createMemoryBus(join(tempDir('bus-'), 'bus.db'), clock, silentLogger, { retry });
  const settle = () => m.bus.idle();
  return { bus: m.bus, deadLetters: m.deadLetters, settle, advance: (ms) => clock.advance(ms, settle), close: () => m.close() };
});
