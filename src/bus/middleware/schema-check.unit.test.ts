import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { silentLogger } from '../../platform/logger';
import { BusDelivery } from '../delivery';
import { createEnvelope, defineContract, type Envelope } from '../envelope';
import { SchemaError } from '../errors';
import type { Settlement } from '../ports';
import { schemaCheck } from './schema-check';

// A transform that does not survive a second pass: a validated payload must not be parsed again.
const Shouted = defineContract('test.Shouted', 1, z.object({ word: z.string().transform((w) => `${w}!`) }));
const Other = defineContract('test.Shouted', 1, z.object({ word: z.string() }));

const run = async (contract: typeof Shouted | typeof Other, envelope: Envelope) => {
  let seen: unknown;
  const handle = schemaCheck([contract])(async (d) => {
    seen = d.payload;
    return { kind: 'ack' } satisfies Settlement;
  });
  await handle(new BusDelivery(envelope, 'g', 0, 1, null, silentLogger));
  return seen;
};

describe('schema check', () => {
  const meta = { key: 'k', occurredAt: '2031-01-01T00:00:00.000Z' };

  it('takes a payload this process built and validated with the same contract as it is', async () => {
    const envelope = createEnvelope(Shouted, { word: 'hey' }, meta);
    expect(await run(Shouted, envelope)).toEqual({ word: 'hey!' });
  });

  it('validates anything else: a copy (as decoded from bytes), or the same object under another contract', async () => {
    const envelope = createEnvelope(Shouted, { word: 'hey' }, meta);
    const decoded = JSON.parse(JSON.stringify(envelope)) as Envelope;
    expect(await run(Shouted, decoded)).toEqual({ word: 'hey!!' }); // parsed again: the transform ran twice
    expect(await run(Other, envelope)).toEqual({ word: 'hey!' });
    await expect(run(Shouted, { ...decoded, payload: { word: 42 } })).rejects.toBeInstanceOf(SchemaError);
  });
});
