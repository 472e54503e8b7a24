import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineContract } from '../platform/contract';
import type { Envelope } from './envelope';
import { SchemaError } from './errors';
import { liftPayload, Upcasters } from './upcasters';

const V1 = defineContract('test.Booked', 1, z.object({ who: z.string().min(1) }));
const V2 = defineContract('test.Booked', 2, z.object({ who: z.string().min(1), seats: z.number().int().positive() }), {
  upcastFrom: { from: V1, up: (p) => ({ ...p, seats: 1 }) },
});
const V3 = defineContract('test.Booked', 3, z.object({ guest: z.string().min(1), seats: z.number().int().positive() }), {
  upcastFrom: { from: V2, up: ({ who, seats }) => ({ guest: who, seats }) },
});
const Other = defineContract('test.Other', 1, z.object({ n: z.number() }));

const envelope = (version: number, payload: unknown): Envelope => ({
  id: 'm1',
  type: 'test.Booked',
  version,
  occurredAt: '2031-01-01T00:00:00.000Z',
  correlationId: 'c',
  causationId: null,
  key: 'k',
  payload,
  headers: {},
});

describe('upcasters', () => {
  it('lift a v1 payload to v3 through each upcaster in turn', () => {
    expect(liftPayload(V3, 1, { who: 'ada' })).toEqual({ guest: 'ada', seats: 1 });
    expect(new Upcasters([V3, Other]).lift(envelope(1, { who: 'ada' }))).toMatchObject({ id: 'm1', version: 3, payload: { guest: 'ada', seats: 1 } });
  });

  it('leave an envelope alone when the reader knows its version, or when nothing reaches it', () => {
    const both = new Upcasters([V1, V3]);
    const v1 = envelope(1, { who: 'ada' });
    expect(both.lift(v1)).toBe(v1); // a reader that asked for v1 gets v1
    const unknown = envelope(7, {});
    expect(new Upcasters([V3]).lift(unknown)).toBe(unknown);
    expect(new Upcasters([V3]).contractFor('test.Booked', 7)).toBeUndefined();
    expect(new Upcasters([V3]).contractFor('test.Booked', 2)).toBe(V3);
  });

  it('refuse a broken old payload, naming the version it was written with', () => {
    expect(() => new Upcasters([V3]).lift(envelope(1, { who: '' }))).toThrow(SchemaError);
    expect(() => liftPayload(V3, 1, { who: '' })).toThrow(/payload of test\.Booked\.v1 is invalid/);
  });

  it('list every version a reader can read, its own and the older ones its upcasters reach', () => {
    expect(new Upcasters([V3, Other]).readable().map((c) => c.name).sort()).toEqual(['test.Booked.v1', 'test.Booked.v2', 'test.Booked.v3', 'test.Other.v1']);
  });

  it('a contract refuses an upcaster from another type or from a version that is not the one right before it', () => {
    expect(() => defineContract('test.Booked', 3, z.object({}), { upcastFrom: { from: V1, up: () => ({}) } })).toThrow(
      /test\.Booked\.v3 cannot upcast from test\.Booked\.v1: an upcaster lifts the version right before \(test\.Booked\.v2\)/,
    );
    expect(() => defineContract('test.Else', 2, z.object({}), { upcastFrom: { from: V1, up: () => ({}) } })).toThrow(/of the same type/);
  });
});
