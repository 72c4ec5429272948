import type { App } from '../apps/app.entity';
import { canViewApp } from '../apps/visibility';
import type { Principal } from '../auth/principal';
import { isStaff, Role } from '../developers/role';
import { forbidden, notFound } from '../graphql/errors';

/**
 * Telemetry and crash reports are private to the app's developer (and admins). Someone who may
 * not even see the app gets NOT_FOUND, as the catalog would answer them; anyone else FORBIDDEN.
 * Callers check the `telemetry:read` scope first and validate their other arguments after.
 */
export function assertMayReadTelemetry(principal: Principal, app: Pick<App, 'developerId' | 'status'> | null): void {
  const viewer = { developerId: principal.developerId, staff: isStaff(principal.role) };
  if (!app || !canViewApp(viewer, app)) throw notFound('App');
  if (app.developerId !== principal.developerId && principal.role !== Role.ADMIN) {
    throw forbidden("An app's telemetry and crash reports are visible only to its developer and to admins.");
  }
}
