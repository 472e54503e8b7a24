import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createEnvelope, defineContract } from '../envelope';
import { createMemoryBus } from '../memory';
import { FakeClock } from '../testing/fake-clock';
import { tempDir } from '../testing/temp-dir';

describe('correlation', () => {
  it('every line a handler logs carries the message, correlation and causation ids', async () => {
    const lines: string[] = [];
    const log = pino({ level: 'info' }, new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(chunk.toString()), done()) }));
    const Ping = defineContract('test.Ping', 1, z.object({ n: z.number() }));
    const m = createMemoryBus(join(tempDir(), 'bus.db'), new FakeClock(), log);
    m.bus.subscribe('g', [Ping], (msg) => msg.log.info('handled'));
    await m.bus.start();
    const e = createEnvelope(Ping, { n: 1 }, { key: 'k', occurredAt: new Date().toISOString(), correlationId: 'corr-1', causationId: 'cause-1' });
    await m.bus.publish(e);
    await m.close();
    const line = JSON.parse(lines.find((l) => l.includes('handled'))!) as Record<string, unknown>;
    expect(line).toMatchObject({ msg: 'handled', correlationId: 'corr-1', causationId: 'cause-1', messageId: e.id, group: 'g', type: 'test.Ping' });
  });
});
