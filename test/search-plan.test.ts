import { buildSearchQuery } from '../src/apps/search.service';
import { signUp } from './helpers/factories';
import { startTestServer, type TestServer } from './helpers/test-server';

/** At catalog scale (100K published apps) search must run on its indexes, not scan the table. */
jest.setTimeout(120_000);

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
  const dev = await signUp(server);
  await server.db.query(
    `INSERT INTO apps (developer_id, package_id, name, description, tags, category, status)
     SELECT $1, 'com.bulk.app' || g, 'App ' || substr(md5(g::text), 1, 10), 'Does ' || md5((g * 7)::text),
            ARRAY['tag' || (g % 500), 'group' || (g % 7)]::varchar[], 'cat' || (g % 20), 'published'
       FROM generate_series(1, 100000) g`,
    [dev.id],
  );
  await server.db.query(`ANALYZE apps`);
});
afterAll(() => server.close());

async function plan(filters: Parameters<typeof buildSearchQuery>[0]): Promise<string> {
  const { sql, params } = buildSearchQuery(filters, { limit: 20, cursor: null, backward: false });
  const rows = await server.db.query(`EXPLAIN ${sql}`, params);
  return rows.map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']).join('\n');
}

it.each([
  ['a full-text query', { query: 'zebra crossing guide', tags: [], category: null }, /idx_apps_search/],
  ['a short, typo-tolerant query', { query: 'zebar', tags: [], category: null }, /idx_apps_search|idx_apps_name_trgm/],
  ['a tag filter', { query: null, tags: ['tag42'], category: null }, /idx_apps_tags/],
])('%s uses the index', async (_label, filters, index) => {
  const text = await plan(filters);
  expect(text).toMatch(index);
  expect(text).not.toMatch(/Seq Scan on apps/);
});
