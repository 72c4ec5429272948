import { type PageArgs, pageOrder } from '../graphql/connection';
import type { SqlObjectRendering, SqlRootRendering } from '../graphql/sql-answers';
import { latestVersionFrom } from '../versions/version-sql';
import { APP_COLUMN_SQL, appListConditions, type AppListFilter, appListRequest, appLookupKey, NEWEST_FIRST, newestFirstResume } from './app.service';
import { viewerOf, visibleAppsSql } from './visibility';

/** App's fields as PostgreSQL renders them (see SqlAnswers): its columns, its developer and latest version. */
export const APP_RENDERING: SqlObjectRendering = {
  fields: APP_COLUMN_SQL,
  relations: {
    developer: (a, d) => `developers ${d} WHERE ${d}.id = ${a}.developer_id`,
    latestVersion: latestVersionFrom,
  },
};

/** `app(id:)` / `app(packageId:)`: the app if the caller may see it, else null, as AppResolver.app. */
export const renderApp: SqlRootRendering = (args, a, { context, params, param }) => {
  const key = appLookupKey(args.id as string | null, args.packageId as string | null);
  const match = 'id' in key ? `${a}.id = ${param(key.id)}` : `${a}.package_id = ${param(key.packageId)}`;
  return { from: `apps ${a} WHERE ${match} AND ${visibleAppsSql(viewerOf(context.principal), a, params)}` };
};

/** `apps(…)`: a page of the list AppService.list reads, in its order. */
export const renderApps: SqlRootRendering = (args, a, { context, params }) => {
  const { filter, page } = appListRequest(args as PageArgs & AppListFilter);
  const where = appListConditions(viewerOf(context.principal), filter, a, params);
  if (page.cursor) where.push(newestFirstResume(page, params, a));
  return {
    from: `apps ${a} WHERE ${where.join(' AND ')} ORDER BY ${pageOrder(page, NEWEST_FIRST(a))} LIMIT ${page.limit}`,
    order: NEWEST_FIRST(a),
  };
};
