import { requireScope } from '../auth/guards';
import { pageOrder, type PageArgs } from '../graphql/connection';
import { assertId } from '../graphql/ids';
import type { SqlObjectRendering, SqlRootRendering } from '../graphql/sql-answers';
import { mayReadTelemetrySql } from './telemetry-access';
import { EVENT_COLUMN_SQL, eventConditions, eventListRequest, NEWEST_EVENT_FIRST, newestEventFirstResume } from './telemetry.service';

/** TelemetryEvent's fields as PostgreSQL renders them (see SqlAnswers). */
export const EVENT_RENDERING: SqlObjectRendering = { fields: EVENT_COLUMN_SQL };

/** `telemetryEvents(…)`: a page of TelemetryService.events, for a caller the read rule admits. */
export const renderTelemetryEvents: SqlRootRendering = (args, e, { context, params, param }) => {
  const principal = requireScope(context, 'telemetry:read');
  const appId = param(assertId('appId', args.appId as string));
  const { filter, page } = eventListRequest(args as unknown as PageArgs & { from: Date; to: Date; eventType?: string | null });
  const where = eventConditions(appId, filter, e, params);
  if (page.cursor) where.push(newestEventFirstResume(page, params, e));
  return {
    from: `telemetry_events ${e} WHERE ${where.join(' AND ')} ORDER BY ${pageOrder(page, NEWEST_EVENT_FIRST(e))} LIMIT ${page.limit}`,
    order: NEWEST_EVENT_FIRST(e),
    guard: mayReadTelemetrySql(principal, appId, param),
  };
};
