import { useSystemInfo } from './api/capabilities';
import { adminToken } from './api/token';
import { useAdminToken } from './components/AdminGate';
import { Link, useNavigation } from './navigation';
import { DeadLetters } from './pages/DeadLetters';
import { Operations } from './pages/Operations';
import { ReservationDetail } from './pages/Reservation';
import { Reservations } from './pages/Reservations';
import type { Route } from './routes';

const NAV: Array<{ to: Route; label: string; active: (r: Route) => boolean }> = [
  { to: { page: 'reservations' }, label: 'Reservations', active: (r) => r.page === 'reservations' || r.page === 'reservation' },
  { to: { page: 'dead-letters' }, label: 'Dead letters', active: (r) => r.page === 'dead-letters' },
  { to: { page: 'operations' }, label: 'Operations', active: (r) => r.page === 'operations' },
];

export function App() {
  const { route } = useNavigation();
  const info = useSystemInfo().data;
  const token = useAdminToken();
  return (
    <>
      <header className="top">
        <Link to={{ page: 'reservations' }} className="brand">
          consistency-lab
        </Link>
        <nav>
          {NAV.map((n) => (
            <Link key={n.label} to={n.to} className={n.active(route) ? 'active' : undefined} aria-current={n.active(route) ? 'page' : undefined}>
              {n.label}
            </Link>
          ))}
        </nav>
        <div className="top-right">
          {info ? (
            <span className="chip" title="saga mode · transport">
              {info.sagaMode} · {info.transport}
            </span>
          ) : null}
          {token ? (
            <button type="button" className="link" onClick={() => adminToken.set(null)} title="remove the admin token from this tab">
              admin ✓ forget token
            </button>
          ) : (
            <span className="chip muted">no admin token</span>
          )}
        </div>
      </header>
      <main>
        <Page route={route} />
      </main>
    </>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'reservations':
      return <Reservations />;
    case 'reservation':
      return <ReservationDetail key={route.id} id={route.id} />;
    case 'dead-letters':
      return <DeadLetters />;
    case 'operations':
      return <Operations />;
    case 'not-found':
      return (
        <section className="panel">
          <h2>No such page</h2>
          <p>
            “{route.path}” is not a page of the dashboard. <Link to={{ page: 'reservations' }}>Go to the reservations</Link>.
          </p>
        </section>
      );
  }
}
