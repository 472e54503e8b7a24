import { describe, expect, it } from 'vitest';
import { fingerprintOf, groupDeadLetters, joinedDuring, normaliseError } from './dead-letter-groups';

const dl = (id: string, errorMessage: string, lastFailedAt = '2030-01-01T10:00:00.000Z', over: Partial<{ group: string; type: string; firstFailedAt: string }> = {}) => ({
  id,
  group: 'payment',
  type: 'reservation.ReservationCreated',
  errorMessage,
  firstFailedAt: '2030-01-01T09:00:00.000Z',
  lastFailedAt,
  ...over,
});

describe('dead-letter grouping in the browser (until admin.deadLetters.groups)', () => {
  it('drops what differs per message from the error: ids, numbers, quoted values', () => {
    expect(normaliseError('no reservation "01a2336d-3c4f-77c8-9654-9a771e7eaacf" after 3 attempts')).toBe('no reservation "…" after # attempts');
    expect(normaliseError('charge 01a2336d-3c4f-77c8-9654-9a771e7eaacf timed out after 1500 ms')).toBe('charge <id> timed out after # ms');
  });

  it('puts failures with the same cause in one group, largest first, with first and last seen', () => {
    const groups = groupDeadLetters([
      dl('a', 'provider unavailable (operator outage switch is on)', '2030-01-01T10:00:01.000Z'),
      dl('b', 'provider unavailable (operator outage switch is on)', '2030-01-01T10:00:03.000Z', { firstFailedAt: '2030-01-01T08:00:00.000Z' }),
      dl('c', 'schema check failed: amount', '2030-01-01T10:00:02.000Z', { group: 'reservation' }),
    ]);
    expect(groups.map((g) => [g.count, g.records.map((r) => r.id)])).toEqual([
      [2, ['a', 'b']],
      [1, ['c']],
    ]);
    expect(groups[0]).toMatchObject({ firstSeen: '2030-01-01T08:00:00.000Z', lastSeen: '2030-01-01T10:00:03.000Z', sampleError: 'provider unavailable (operator outage switch is on)' });
    expect(groups[0]?.fingerprint).toBe(fingerprintOf(dl('x', 'provider unavailable (operator outage switch is on)')));
  });

  it('names the records that failed after a retry began and were not part of it', () => {
    const records = [dl('a', 'e', '2030-01-01T10:00:05.000Z'), dl('b', 'e', '2030-01-01T10:00:09.000Z'), dl('c', 'e', '2030-01-01T09:59:00.000Z')];
    expect(joinedDuring(records, '2030-01-01T10:00:00.000Z', new Set(['a'])).map((d) => d.id)).toEqual(['b']);
  });
});
