import { createContext, useContext, useEffect, useState, type AnchorHTMLAttributes, type MouseEvent, type ReactNode } from 'react';
import { parseRoute, pathOf, type Route } from './routes';

const Nav = createContext<{ route: Route; go: (to: Route) => void }>({ route: { page: 'reservations' }, go: () => undefined });

/** History-API navigation for the four pages (no router library needed for so few routes). */
export function NavigationProvider({ children }: { children: ReactNode }) {
  const [route, setRoute] = useState<Route>(() => parseRoute(location.pathname));
  useEffect(() => {
    const onPop = () => setRoute(parseRoute(location.pathname));
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);
  const go = (to: Route) => {
    const path = pathOf(to);
    if (path !== location.pathname) history.pushState(null, '', path);
    setRoute(to);
    scrollTo(0, 0);
  };
  return <Nav.Provider value={{ route, go }}>{children}</Nav.Provider>;
}

export const useNavigation = () => useContext(Nav);

/** A real link (open in a new tab works), navigated in place on a plain click. */
export function Link({ to, children, ...rest }: { to: Route; children: ReactNode } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const { go } = useNavigation();
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    go(to);
  };
  return (
    <a href={pathOf(to)} onClick={onClick} {...rest}>
      {children}
    </a>
  );
}
