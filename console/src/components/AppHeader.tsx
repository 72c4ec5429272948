import { NavLink } from 'react-router';
import type { AppFieldsFragment } from '../../../sdk';
import { CopyButton } from './CopyButton';
import { StatusBadge } from './status';

/** An app's title, status and its two views: versions and telemetry. */
export function AppHeader({ app }: { app: AppFieldsFragment }) {
  return (
    <header className="app-header">
      <p className="breadcrumbs">
        <NavLink to="/apps" end>
          Apps
        </NavLink>{' '}
        / <code>{app.packageId}</code>
      </p>
      <h1>
        {app.name} <StatusBadge status={app.status} />
      </h1>
      <p className="muted app-id">
        App ID (for telemetry) <code>{app.id}</code> <CopyButton value={app.id} label="Copy the app ID" />
      </p>
      <nav aria-label="App" className="tabs">
        <NavLink to={`/apps/${app.id}`} end>
          Versions
        </NavLink>
        <NavLink to={`/apps/${app.id}/telemetry`}>Telemetry</NavLink>
      </nav>
    </header>
  );
}
