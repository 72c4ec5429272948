import type { ReactNode } from 'react';
import { NavLink } from 'react-router';
import type { AppFieldsFragment, AppQuery } from '../../../sdk';
import { useApp } from '../hooks/queries';
import { CopyButton } from './CopyButton';
import { QueryView, StatusBadge } from './status';

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

/** Loads one app for its pages; says so when it does not exist or is not the viewer's to see. */
export function AppView({ appId, children }: { appId: string; children: (app: NonNullable<AppQuery['app']>) => ReactNode }) {
  const app = useApp(appId);
  return (
    <QueryView query={app} what="the app" isEmpty={(data) => !data} empty="This app does not exist, or you may not see it.">
      {(data) => children(data!)}
    </QueryView>
  );
}
