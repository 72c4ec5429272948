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
/** What the read rule needs of an app (alias `a`), for reads that authorize themselves in their own statement. */
export const APP_ACCESS_COLUMNS = `a.developer_id AS "developerId", a.status`;
export type AppAccess = Pick<App, 'developerId' | 'status'>;

export function assertMayReadTelemetry(principal: Principal, app: AppAccess | null): void {
  const viewer = { developerId: principal.developerId, staff: isStaff(principal.role) };
  if (!app || !canViewApp(viewer, app)) throw notFound('App');
  if (app.developerId !== principal.developerId && principal.role !== Role.ADMIN) {
    throw forbidden("An app's telemetry and crash reports are visible only to its developer and to admins.");
  }
}

/**
 * The rule of assertMayReadTelemetry as an SQL condition that holds exactly when it lets
 * `principal` read the telemetry of the app `appIdSql` (the refusals' wording stays with it).
 */
export function mayReadTelemetrySql(principal: Principal, appIdSql: string, param: (value: unknown) => string): string {
  const owner = principal.role === Role.ADMIN ? '' : ` AND a.developer_id = ${param(principal.developerId)}`;
  return `EXISTS (SELECT 1 FROM apps a WHERE a.id = ${appIdSql}${owner})`;
}
