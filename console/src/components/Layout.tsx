import { NavLink, Outlet } from 'react-router';
import { useMe, useSignOut } from '../hooks/queries';

/** The signed-in frame: header with navigation and sign-out, then the page. */
export function Layout() {
  const me = useMe();
  const signOut = useSignOut();
  const staff = me.data?.role === 'REVIEWER' || me.data?.role === 'ADMIN';
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Mosis console</span>
        <nav aria-label="Main">
          <NavLink to="/apps">Apps</NavLink>
          <NavLink to="/api-keys">API keys</NavLink>
          <NavLink to="/signing-keys">Signing keys</NavLink>
          {staff && <NavLink to="/review">Review queue</NavLink>}
        </nav>
        <div className="account">
          {me.data && (
            <span className="muted">
              {me.data.email}
              {staff && ` (${me.data.role.toLowerCase()})`}
            </span>
          )}
          <button type="button" className="secondary" onClick={() => signOut.mutate()} disabled={signOut.isPending}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}
