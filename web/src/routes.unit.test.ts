import { describe, expect, it } from 'vitest';
import { highlightState } from './diagram';
import { parseRoute, pathOf, ROUTE_EXAMPLES } from './routes';

describe('client routes', () => {
  it('round-trips every page through its path', () => {
    for (const path of ROUTE_EXAMPLES) {
      const route = parseRoute(path);
      expect(route.page).not.toBe('not-found');
      expect(parseRoute(pathOf(route))).toEqual(route);
    }
    expect(parseRoute('/reservations/a%2Fb')).toEqual({ page: 'reservation', id: 'a/b' });
    expect(parseRoute('/nope')).toEqual({ page: 'not-found', path: '/nope' });
  });
});

describe('highlightState', () => {
  it('marks the current state with a classDef, and leaves odd input alone', () => {
    expect(highlightState('stateDiagram-v2\n  [*] --> A\n', 'CONFIRMED')).toMatch(/classDef current .*\n {2}class CONFIRMED current\n$/);
    expect(highlightState('x', null)).toBe('x');
    expect(highlightState('x', 'A; click A call evil()')).toBe('x');
  });
});
