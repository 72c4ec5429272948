import type { DataSource, EntityManager } from 'typeorm';
import { recordAudit } from '../audit/audit.service';
import type { Principal } from '../auth/principal';
import { isStaff, Role } from '../developers/role';
import type { ReadQueries } from '../db/reads';
import { type ColumnMap, queryRows, selectColumns } from '../db/sql';
import { type ConnectionData, type CursorKey, cursorPart, type Page, type PageArgs, pageOrder, parsePage, pastCursor, toConnection } from '../graphql/connection';
import { assertId } from '../graphql/ids';
import { groupByKey } from '../graphql/loaders';
import { badInput, conflict, forbidden, isUniqueViolation, notFound } from '../graphql/errors';
import { App, AppStatus } from './app.entity';
import { type AppRelations, type AppWithRelations, NO_RELATIONS, relationColumns, withRelations } from './app-relations';
import { MAX_TAGS } from './app.types';
import { canViewApp, type Viewer, visibleAppsSql } from './visibility';

/** The apps columns by entity property name. */
export const APP_COLUMN_SQL: ColumnMap = {
  id: (a) => `${a}.id`,
  developerId: (a) => `${a}.developer_id`,
  packageId: (a) => `${a}.package_id`,
  name: (a) => `${a}.name`,
  description: (a) => `${a}.description`,
  category: (a) => `${a}.category`,
  tags: (a) => `${a}.tags`,
  status: (a) => `${a}.status`,
  suspendedReason: (a) => `${a}.suspended_reason`,
  createdAt: (a) => `${a}.created_at`,
  updatedAt: (a) => `${a}.updated_at`,
};

/** Every apps column under its entity property name, so raw rows are App-shaped as they arrive. */
export const APP_COLUMNS = (a: string) => selectColumns(APP_COLUMN_SQL, a);

/** created_at with its full microsecond precision, for keyset cursors (a JS Date would round it). */
const CREATED_CURSOR = (a: string) => `to_char(${a}.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS "cursorCreatedAt"`;

type AppRow = App & { cursorCreatedAt: string };

export interface AppFields {
  name?: string | null;
  description?: string | null;
  category?: string | null;
  tags?: string[] | null;
}

/** Lowercase, trimmed, unique, at most MAX_TAGS. */
export function normalizeTags(tags: string[]): string[] {
  const normalized = [...new Set(tags.map((t) => t.trim().toLowerCase()).filter((t) => t.length > 0))];
  if (normalized.length > MAX_TAGS) throw badInput('tags', `at most ${MAX_TAGS} distinct tags, got ${normalized.length}`);
  return normalized;
}

const blankToNull = (value: string | null | undefined) => (value == null || value.trim() === '' ? null : value.trim());

export class AppService {
  constructor(
    private readonly db: DataSource,
    private readonly reads: ReadQueries,
  ) {}

  async create(
    principal: Principal,
    input: { packageId: string; name: string } & AppFields,
    ip: string | null,
  ): Promise<App> {
    try {
      return await this.db.transaction(async (manager) => {
        const [app] = await manager.query(
          `INSERT INTO apps (developer_id, package_id, name, description, category, tags)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${APP_COLUMNS('apps')}`,
          [principal.developerId, input.packageId, input.name.trim(), blankToNull(input.description),
            blankToNull(input.category), normalizeTags(input.tags ?? [])],
        );
        await this.audit(manager, principal, 'app.create', app.id, ip, { packageId: app.packageId });
        return app as App;
      });
    } catch (error) {
      if (isUniqueViolation(error, 'idx_apps_package')) {
        throw conflict(`packageId: ${input.packageId} is already taken`, 'packageId');
      }
      throw error;
    }
  }

  /** The owner may edit; `validateInput` runs only once that is established. */
  async update(
    principal: Principal,
    id: string,
    input: AppFields,
    validateInput: () => Promise<void>,
    ip: string | null,
  ): Promise<App> {
    return this.db.transaction(async (manager) => {
      const app = await this.lockOwnApp(manager, principal, id);
      await validateInput();
      const changes: Record<string, unknown> = {};
      if (input.name != null) changes.name = input.name.trim();
      if (input.description !== undefined) changes.description = blankToNull(input.description);
      if (input.category !== undefined) changes.category = blankToNull(input.category);
      if (input.tags !== undefined) changes.tags = normalizeTags(input.tags ?? []);
      const columns = Object.keys(changes);
      if (columns.length === 0) return app;
      const [updated] = await queryRows<App>(
        manager,
        `UPDATE apps SET ${columns.map((c, i) => `${c} = $${i + 2}`).join(', ')}, updated_at = now()
          WHERE id = $1 RETURNING ${APP_COLUMNS('apps')}`,
        [id, ...columns.map((c) => changes[c])],
      );
      await this.audit(manager, principal, 'app.update', id, ip, { fields: columns });
      return updated;
    });
  }

  /** Admins only (checked before the arguments); a suspended app disappears from search and from strangers. */
  async suspend(principal: Principal, rawId: string, reason: string, ip: string | null): Promise<App> {
    if (principal.role !== Role.ADMIN) throw forbidden('Only admins may suspend apps.');
    const id = assertId('id', rawId);
    if (!reason.trim()) throw badInput('reason', 'must say why the app is suspended');
    return this.db.transaction(async (manager) => {
      const [app] = await queryRows<App>(
        manager,
        `UPDATE apps SET status = 'suspended', suspended_reason = $2, updated_at = now()
          WHERE id = $1 RETURNING ${APP_COLUMNS('apps')}`,
        [id, reason.trim()],
      );
      if (!app) throw notFound('App');
      await this.audit(manager, principal, 'app.suspend', id, ip, { reason: reason.trim() });
      return app;
    });
  }

  /** Locks the app row for a change by its owner: NOT_FOUND if invisible, FORBIDDEN if visible but not theirs. */
  async lockOwnApp(manager: EntityManager, principal: Principal, id: string): Promise<App> {
    const [app] = await manager.query(`SELECT ${APP_COLUMNS('a')} FROM apps a WHERE a.id = $1 FOR UPDATE`, [id]);
    const viewer = { developerId: principal.developerId, staff: isStaff(principal.role) };
    if (!app || !canViewApp(viewer, app)) throw notFound('App');
    if (app.developerId !== principal.developerId) throw forbidden('Only the app\'s owner may change it.');
    return app;
  }

  async findByIds(ids: readonly string[]): Promise<App[]> {
    return this.db.query(`SELECT ${APP_COLUMNS('a')} FROM apps a WHERE a.id = ANY($1)`, [ids]);
  }

  /** With the relations asked for, read in the same statement (see AppRelations). */
  async findVisible(viewer: Viewer, by: { id: string } | { packageId: string }, relations = NO_RELATIONS): Promise<AppWithRelations | null> {
    const params: unknown[] = ['id' in by ? by.id : by.packageId];
    const rows = await this.reads.rows<App>(
      `SELECT ${APP_COLUMNS('a')}${relationColumns(relations, 'a')}${viewer.check?.column(params) ?? ''}
         FROM apps a WHERE ${'id' in by ? 'a.id' : 'a.package_id'} = $1`,
      params,
    );
    viewer.check?.recordFrom(rows);
    const [row] = rows;
    return row && canViewApp(viewer, row) ? withRelations(row, relations) : null;
  }

  /** Newest first, keyset on (created_at, id); with the relations asked for, in the same statement. */
  async list(viewer: Viewer, filter: AppListFilter, page: Page, relations: AppRelations = NO_RELATIONS): Promise<ConnectionData<AppWithRelations>> {
    const params: unknown[] = [];
    const matching = appListConditions(viewer, filter, 'a', params);
    const countParams = [...params];
    const where = page.cursor ? [...matching, newestFirstResume(page, params, 'a')] : matching;
    const rows = await this.reads.rows<AppRow>(
      `SELECT ${APP_COLUMNS('a')}, ${CREATED_CURSOR('a')}${relationColumns(relations, 'a')}${viewer.check?.column(params) ?? ''}
         FROM apps a WHERE ${where.join(' AND ')} ORDER BY ${pageOrder(page, NEWEST_FIRST('a'))} LIMIT ${page.limit + 1}`,
      params,
    );
    viewer.check?.recordFrom(rows);
    return toConnection(rows, page, (r) => [r.cursorCreatedAt, r.id], async () => {
      const [{ count }] = await this.db.query(`SELECT count(*)::int AS count FROM apps a WHERE ${matching.join(' AND ')}`, countParams);
      return count;
    }, (row) => withRelations(row, relations));
  }

  /** One page of apps for each of many developers in a single query (Developer.apps). */
  async pageForDevelopers(viewer: Viewer, developerIds: readonly string[], page: Page): Promise<App[][]> {
    const params: unknown[] = [developerIds];
    const visible = visibleAppsSql(viewer, 'a', params);
    const cursor = page.cursor ? `AND ${newestFirstResume(page, params, 'a')}` : '';
    const rows: (AppRow & { ownerId: string })[] = await this.db.query(
      `SELECT d.id AS "ownerId", page.* FROM unnest($1::uuid[]) AS d(id)
       CROSS JOIN LATERAL (
         SELECT ${APP_COLUMNS('a')}, ${CREATED_CURSOR('a')} FROM apps a
          WHERE a.developer_id = d.id AND ${visible} ${cursor}
          ORDER BY ${pageOrder(page, NEWEST_FIRST('a'))} LIMIT ${page.limit + 1}
       ) page`,
      params,
    );
    return groupByKey(developerIds, rows, (r) => r.ownerId);
  }

  async countForDevelopers(viewer: Viewer, developerIds: readonly string[]): Promise<number[]> {
    const params: unknown[] = [developerIds];
    const rows: { developer_id: string; count: number }[] = await this.db.query(
      `SELECT a.developer_id, count(*)::int AS count FROM apps a
        WHERE a.developer_id = ANY($1) AND ${visibleAppsSql(viewer, 'a', params)} GROUP BY a.developer_id`,
      params,
    );
    const counts = new Map(rows.map((r) => [r.developer_id, r.count]));
    return developerIds.map((id) => counts.get(id) ?? 0);
  }

  private audit(manager: EntityManager, principal: Principal, action: string, appId: string, ip: string | null, metadata: Record<string, unknown>) {
    return recordAudit(manager, { actorId: principal.developerId, action, targetType: 'app', targetId: appId, metadata, ip });
  }
}

/** Newest-first app lists resume after (created_at, id). */
export const APP_CURSOR: CursorKey = [cursorPart.timestamp, cursorPart.uuid];

/** The apps lists' order; cursors are (created_at, id). */
export const NEWEST_FIRST = (a: string) => `${a}.created_at DESC, ${a}.id DESC`;

export interface AppListFilter {
  developerId?: string | null;
  status?: AppStatus | null;
}

/** The conditions on the apps alias `a` that pick a list's apps: visible to the viewer and matching the filter. */
export function appListConditions(viewer: Viewer, filter: AppListFilter, a: string, params: unknown[]): string[] {
  const where = [visibleAppsSql(viewer, a, params)];
  if (filter.developerId) where.push(`${a}.developer_id = $${params.push(filter.developerId)}`);
  if (filter.status) where.push(`${a}.status = $${params.push(filter.status)}`);
  return where;
}

/** The keyset condition that resumes an apps list past the page's cursor. */
export function newestFirstResume(page: Page, params: unknown[], a: string): string {
  const [createdAt, id] = page.cursor!;
  return `(${a}.created_at, ${a}.id) ${pastCursor(page, 'DESC')} ($${params.push(createdAt)}::timestamp AT TIME ZONE 'UTC', $${params.push(id)}::uuid)`;
}

/** What `apps(…)` asks for, its arguments checked. */
export function appListRequest(args: PageArgs & AppListFilter): { filter: AppListFilter; page: Page } {
  const developerId = args.developerId == null ? null : assertId('developerId', args.developerId);
  return { filter: { developerId, status: args.status }, page: parsePage(args, APP_CURSOR) };
}

/** The app `app(id:, packageId:)` names: exactly one of the two, the id well-formed. */
export function appLookupKey(id: string | null | undefined, packageId: string | null | undefined): { id: string } | { packageId: string } {
  if ((id == null) === (packageId == null)) throw badInput('id', 'give exactly one of id and packageId');
  return id != null ? { id: assertId('id', id) } : { packageId: packageId! };
}
