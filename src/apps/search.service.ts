import type { DataSource } from 'typeorm';
import { type ConnectionData, type CursorKey, cursorPart, type Page, pageOrder, pastCursor, toConnection } from '../graphql/connection';
import { badInput } from '../graphql/errors';
import type { App } from './app.entity';
import { APP_COLUMNS } from './app.service';

export interface SearchFilters {
  query: string | null;
  tags: string[];
  category: string | null;
}

/** Queries of at most this many words also match names by trigram similarity (typos, fragments). */
const TYPO_TOLERANT_WORDS = 2;
const MAX_WORDS = 12;

type RankedRow = App & { rank: number; sortName: string };

/**
 * Full-text search over published apps. Name matches weigh most (A), then description (B), then
 * tags (C), all through the generated `search_vector` and its GIN index; the last word matches as
 * a prefix, and short queries also match names through pg_trgm (`%` and `<%` on the trigram
 * index) so "notse" still finds "Notes". Results are ranked, then ordered by name and id, which
 * makes the keyset cursor (rank, name, id) stable across pages.
 */
/** Search results, best first, resume after (rank, lowercase name, id). */
export const SEARCH_CURSOR: CursorKey = [cursorPart.float, cursorPart.text, cursorPart.uuid];

export class SearchService {
  constructor(private readonly db: DataSource) {}

  async search(filters: SearchFilters, page: Page): Promise<ConnectionData<App>> {
    const { sql, params, countSql, countParams } = buildSearchQuery(filters, page);
    const rows: RankedRow[] = await this.db.query(sql, params);
    return toConnection(
      rows,
      page,
      (r) => [r.rank, r.sortName, r.id],
      async () => (await this.db.query(countSql, countParams))[0].count,
      ({ rank: _rank, sortName: _name, ...app }) => app as App,
    );
  }
}

/** Exposed for the query-plan test, which checks that it runs on the indexes. */
export function buildSearchQuery(filters: SearchFilters, page: Page) {
  const words = (filters.query ?? '').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  if (words.length > MAX_WORDS) throw badInput('query', `use at most ${MAX_WORDS} words`);
  const params: unknown[] = [];
  const where = [`a.status = 'published'`];
  let rank = '0::float8';

  if (words.length > 0) {
    const tsquery = words.map((w, i) => (i === words.length - 1 ? `${w}:*` : w)).join(' & ');
    // An uncorrelated subquery runs once (an InitPlan); a bare to_tsquery() call would be evaluated per row.
    const tsq = `(SELECT to_tsquery('english', $${params.push(tsquery)}))`;
    const matches = [`a.search_vector @@ ${tsq}`];
    rank = `ts_rank(a.search_vector, ${tsq})::float8`;
    if (words.length <= TYPO_TOLERANT_WORDS) {
      const raw = `$${params.push(words.join(' '))}::text`;
      matches.push(`lower(a.name) % ${raw}`, `${raw} <% lower(a.name)`);
      rank = `(${rank} + 0.5 * word_similarity(${raw}, lower(a.name))::float8)`;
    }
    where.push(`(${matches.join(' OR ')})`);
  }
  const tags = [...new Set(filters.tags.map((t) => t.trim().toLowerCase()).filter(Boolean))];
  if (tags.length > 0) where.push(`a.tags @> $${params.push(tags)}::varchar[]`);
  if (filters.category) where.push(`lower(a.category) = lower($${params.push(filters.category)})`);

  const countSql = `SELECT count(*)::int AS count FROM apps a WHERE ${where.join(' AND ')}`;
  const countParams = [...params];

  let keyset = '';
  if (page.cursor) {
    const [cursorRank, cursorName, cursorId] = page.cursor;
    const [r, n, id] = [params.push(cursorRank), params.push(cursorName), params.push(cursorId)];
    const [down, up] = [pastCursor(page, 'DESC'), pastCursor(page, 'ASC')];
    keyset = `WHERE s.rank ${down} $${r} OR (s.rank = $${r} AND (s."sortName" ${up} $${n} OR (s."sortName" = $${n} AND s.id ${up} $${id}::uuid)))`;
  }
  const sql = `
    SELECT * FROM (
      SELECT ${APP_COLUMNS('a')}, ${rank} AS rank, lower(a.name) AS "sortName"
        FROM apps a WHERE ${where.join(' AND ')}
    ) s ${keyset}
    ORDER BY ${pageOrder(page, 's.rank DESC, s."sortName" ASC, s.id ASC')}
    LIMIT ${page.limit + 1}`;
  return { sql, params, countSql, countParams };
}
