import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { silentLogger } from '../../platform/logger';
import { BusDelivery } from '../delivery';
import { createEnvelope, defineContract, type Envelope } from '../envelope';
import { SchemaError } from '../errors';
import type { Settlement } from '../ports';
import { schemaCheck } from './schema-check';

const Greeted = defineContract('test.Greeted', 1, z.object({ word: z.string().min(1) }));

const run = async (envelope: Envelope) => {
  let seen: unknown;
  const handle = schemaCheck([Greeted])(async (d) => {
    seen = d.payload;
    return { kind: 'ack' } satisfies Settlement;
  });
  await handle(new BusDelivery(envelope, 'g', 0, 1, null, silentLogger));
  return seen;
};

describe('schema check', () => {
  const envelope = createEnvelope(Greeted, { word: 'hey' }, { key: 'k', occurredAt: '2031-01-01T00:00:00.000Z' });

  it('hands the handler the payload its contract parsed', async () => {
    expect(await run(envelope)).toEqual({ word: 'hey' });
  });

  it('checks an envelope created in this process once (at creation); one from a wire or a database on delivery', async () => {
    const parse = vi.spyOn(Greeted.schema, 'safeParse');
    try {
      const local = createEnvelope(Greeted, { word: 'hi' }, { key: 'k', occurredAt: '2031-01-01T00:00:00.000Z' });
      expect(await run(local)).toBe(local.payload); // the producer's checked object, shared
      expect(Object.isFrozen(local.payload)).toBe(true); // so no consumer can change it under another
      expect(parse).not.toHaveBeenCalled();
      const fromWire = JSON.parse(JSON.stringify(local)) as Envelope;
      expect(await run(fromWire)).toEqual({ word: 'hi' });
      expect(parse).toHaveBeenCalledTimes(1);
      // A consumer with another contract object of the same name and version checks it itself.
      const lookalike = defineContract('test.Greeted', 1, z.object({ word: z.string().min(5) }));
      const strict = schemaCheck([lookalike])(async () => ({ kind: 'ack' }) as Settlement);
      await expect(strict(new BusDelivery(local, 'g', 0, 1, null, silentLogger))).rejects.toThrow(/payload of test\.Greeted\.v1 is invalid/);
    } finally {
      parse.mockRestore();
    }
  });

  it('refuses for good an invalid payload, an unknown version and an undecodable message, naming what was wrong', async () => {
    await expect(run({ ...envelope, payload: { word: '' } })).rejects.toThrow(/payload of test\.Greeted\.v1 is invalid/);
    await expect(run({ ...envelope, version: 2 })).rejects.toThrow(/no contract for test\.Greeted version 2.*accepted: test\.Greeted\.v1/);
    const undecodable = schemaCheck([Greeted])(async () => ({ kind: 'ack' }) as Settlement);
    await expect(undecodable(new BusDelivery(envelope, 'g', 0, 1, null, silentLogger, 'invalid JSON'))).rejects.toBeInstanceOf(SchemaError);
  });

  it('lifts an older version to the one the group reads for the handler, and keeps the received envelope on the delivery', async () => {
    const Greeted2 = defineContract('test.Greeted', 2, z.object({ word: z.string().min(1), loud: z.boolean() }), {
      upcastFrom: { from: Greeted, up: (p) => ({ ...p, loud: false }) },
    });
    let handled: Envelope | undefined;
    const check = schemaCheck([Greeted2])(async (d) => {
      handled = d.upcast;
      return { kind: 'ack' } satisfies Settlement;
    });
    const old = JSON.parse(JSON.stringify(envelope)) as Envelope;
    const delivery = new BusDelivery(old, 'g', 0, 1, null, silentLogger);
    await check(delivery);
    expect(handled).toMatchObject({ id: envelope.id, version: 2, payload: { word: 'hey', loud: false } });
    expect(delivery.payload).toEqual({ word: 'hey', loud: false });
    expect(delivery.envelope).toBe(old);
    await expect(check(new BusDelivery({ ...old, payload: { word: '' } }, 'g', 0, 1, null, silentLogger))).rejects.toThrow(/payload of test\.Greeted\.v1 is invalid/);
    await expect(check(new BusDelivery({ ...old, version: 3 }, 'g', 0, 1, null, silentLogger))).rejects.toThrow(
      /no contract for test\.Greeted version 3.*accepted: test\.Greeted\.v2, test\.Greeted\.v1 \(upcast\)/,
    );
  });
});
