import { requireScope } from '../auth/guards';
import { assertId } from '../graphql/ids';
import type { SqlObjectRendering, SqlRootRendering } from '../graphql/sql-answers';
import { mayReadTelemetrySql } from '../telemetry/telemetry-access';
import { crashConditions, crashGroupPageSql, crashGroupsRequest, MOST_CRASHES_FIRST } from './crash.service';

const CRASH_GROUP_FIELDS = ['fingerprint', 'crashType', 'title', 'count', 'affectedDevices', 'firstSeen', 'lastSeen', 'appVersions'];

/** CrashGroup's fields as PostgreSQL renders them (see SqlAnswers): the columns of crashGroupPageSql, named as the fields. */
export const CRASH_GROUP_RENDERING: SqlObjectRendering = {
  fields: Object.fromEntries(CRASH_GROUP_FIELDS.map((field) => [field, (c: string) => `${c}."${field}"`])),
};

/** `crashGroups(…)`: a page of CrashService.groups, for a caller the telemetry read rule admits. */
export const renderCrashGroups: SqlRootRendering = (args, c, { context, params, param }) => {
  const principal = requireScope(context, 'telemetry:read');
  const appId = param(assertId('appId', args.appId as string));
  const { range, page } = crashGroupsRequest(args);
  return {
    from: `(${crashGroupPageSql(appId, crashConditions(appId, range, params), page, page.limit, params)}) ${c}`,
    order: MOST_CRASHES_FIRST(c),
    guard: mayReadTelemetrySql(principal, appId, param),
  };
};
