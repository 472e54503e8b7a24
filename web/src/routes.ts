/**
 * The dashboard's client routes. The server answers these paths with index.html (the SPA fallback in
 * src/api/static-files.ts, whose test checks every example below), so a reload or a shared link works.
 */
export type Route =
  | { page: 'reservations' }
  | { page: 'reservation'; id: string }
  | { page: 'dead-letters' }
  | { page: 'operations' }
  | { page: 'not-found'; path: string };

/** One path per route, for the server's fallback test. */
export const ROUTE_EXAMPLES = ['/', '/reservations', '/reservations/01J9ZC0000000000000000000', '/dead-letters', '/operations'] as const;

export function parseRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === '/' || path === '/reservations') return { page: 'reservations' };
  const detail = /^\/reservations\/([^/]+)$/.exec(path);
  if (detail) return { page: 'reservation', id: decodeURIComponent(detail[1] as string) };
  if (path === '/dead-letters') return { page: 'dead-letters' };
  if (path === '/operations') return { page: 'operations' };
  return { page: 'not-found', path };
}

export function pathOf(route: Route): string {
  switch (route.page) {
    case 'reservations':
      return '/';
    case 'reservation':
      return `/reservations/${encodeURIComponent(route.id)}`;
    case 'dead-letters':
      return '/dead-letters';
    case 'operations':
      return '/operations';
    case 'not-found':
      return route.path;
  }
}
