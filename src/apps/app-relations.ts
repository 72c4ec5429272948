import type { FieldNode, GraphQLResolveInfo, SelectionSetNode } from 'graphql';
import { reviveDates } from '../db/reads';
import { DEVELOPER_COLUMNS, DEVELOPER_DATES } from '../developers/developer.service';
import type { Developer } from '../developers/developer.entity';
import type { Loaders } from '../graphql/loaders';
import type { AppVersion } from '../versions/app-version.entity';
import { latestVersionSql, VERSION_DATES } from '../versions/version-sql';
import type { App } from './app.entity';

/**
 * The to-one relations of App that a query's selection asks for. A read of apps fetches them in
 * its own statement (JSON columns beside each app, the version with only the columns its selection
 * needs), where the field resolvers find them: `app { developer latestVersion }` is one round trip instead of three.
 */
export interface AppRelations {
  developer: boolean;
  /** The AppVersion fields selected below `latestVersion`, or false if it is not asked for. */
  latestVersion: false | ReadonlySet<string>;
}

export const NO_RELATIONS: AppRelations = { developer: false, latestVersion: false };

/** An app as read with its relations: the ones asked for are set, to a row or null. */
export type AppWithRelations = App & { related?: { developer?: Developer | null; latestVersion?: AppVersion | null } };

/** The relations selected on the App objects found at `path` below the resolved field (e.g. ['edges', 'node']). */
export function selectedAppRelations(info: GraphQLResolveInfo, path: readonly string[] = []): AppRelations {
  const selected = selectedFieldNames(info, path);
  return {
    developer: selected.has('developer'),
    latestVersion: selected.has('latestVersion') && selectedFieldNames(info, [...path, 'latestVersion']),
  };
}

/** Extra SELECT columns over the apps alias `a`, one JSON value per relation asked for. */
export function relationColumns(relations: AppRelations, a: string): string {
  const columns: string[] = [];
  if (relations.developer) {
    columns.push(`(SELECT to_json(d) FROM (SELECT ${DEVELOPER_COLUMNS} FROM developers d WHERE d.id = ${a}.developer_id) d) AS "relatedDeveloper"`);
  }
  if (relations.latestVersion) {
    columns.push(`(SELECT to_json(lv) FROM (${latestVersionSql(a, relations.latestVersion)}) lv) AS "relatedLatestVersion"`);
  }
  return columns.map((column) => `, ${column}`).join('');
}

type RowWithRelations = App & { relatedDeveloper?: Record<string, unknown> | null; relatedLatestVersion?: Record<string, unknown> | null };

/**
 * Sets `related` from the JSON columns of relationColumns. On the row itself: it is this
 * request's own, and the columns left beside it are never read (a copy per row cost more).
 */
export function withRelations(row: RowWithRelations, relations: AppRelations): AppWithRelations {
  if (!relations.developer && !relations.latestVersion) return row;
  const related: AppWithRelations['related'] = {};
  if (relations.developer) related.developer = row.relatedDeveloper ? reviveDates<Developer>(row.relatedDeveloper, DEVELOPER_DATES) : null;
  if (relations.latestVersion) {
    related.latestVersion = row.relatedLatestVersion ? reviveDates<AppVersion>(row.relatedLatestVersion, VERSION_DATES) : null;
  }
  return Object.assign(row, { related });
}

/**
 * Hands a prefetched developer to the loader, for other places in the query that load it. The
 * latest version stays with its app (App.latestVersion reads it there): it holds only the
 * columns this selection asked for, so it must not answer another selection's load.
 */
export function primeRelations(loaders: Loaders, app: AppWithRelations): void {
  const developer = app.related?.developer;
  if (developer) loaders.developerById.prime(developer.id, developer);
}

function selectedFieldNames(info: GraphQLResolveInfo, path: readonly string[]): Set<string> {
  let sets = info.fieldNodes.map((node) => node.selectionSet);
  for (const name of path) {
    sets = fieldsOf(sets, info).filter((field) => field.name.value === name).map((field) => field.selectionSet);
  }
  return new Set(fieldsOf(sets, info).map((field) => field.name.value));
}

/** The fields of selection sets, looking through inline fragments and named fragment spreads. */
function fieldsOf(sets: (SelectionSetNode | undefined)[], info: GraphQLResolveInfo): FieldNode[] {
  const fields: FieldNode[] = [];
  const visit = (set: SelectionSetNode | undefined) => {
    for (const selection of set?.selections ?? []) {
      if (selection.kind === 'Field') fields.push(selection);
      else if (selection.kind === 'InlineFragment') visit(selection.selectionSet);
      else visit(info.fragments[selection.name.value]?.selectionSet);
    }
  };
  sets.forEach(visit);
  return fields;
}
