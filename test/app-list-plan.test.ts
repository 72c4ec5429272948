import { signUp } from './helpers/factories';
import { startTestServer, type TestServer } from './helpers/test-server';

/**
 * A developer's app list is a prepared statement, so after a few uses PostgreSQL runs it with a
 * generic plan that cannot know whose apps it lists. In a store where 20,000 developers have four
 * apps each and one has 3,000, that plan must still walk idx_apps_developer newest-first and stop
 * after the page, not read all of the busy developer's apps and sort them (which the planner picks
 * here without migration 1795600008001).
 */
jest.setTimeout(120_000);

let server: TestServer;
let busy: { id: string; token: string };
beforeAll(async () => {
  server = await startTestServer();
  busy = await signUp(server);
  await server.db.query(
    `INSERT INTO apps (developer_id, package_id, name, status)
     SELECT $1, 'com.busy.app' || g, 'Busy ' || g, (ARRAY['published', 'published', 'draft'])[1 + g % 3] FROM generate_series(1, 3000) g`,
    [busy.id],
  );
  await server.db.query(
    `WITH small AS (
       INSERT INTO developers (email, name) SELECT 'small' || g || '@plan.example', 'Small ' || g FROM generate_series(1, 20000) g RETURNING id
     )
     INSERT INTO apps (developer_id, package_id, name, status)
     SELECT small.id, 'com.small.' || replace(small.id::text, '-', '') || '.app' || n, 'Small app', 'published' FROM small, generate_series(1, 4) n`,
  );
  await server.db.query(`ANALYZE apps`);
});
afterAll(() => server.close());

/** The generic plan of the app-list statement `request` sends, with `values` (plain words) for its parameters. */
async function genericPlanOf(request: () => Promise<{ errors?: unknown }>, values: string[]): Promise<string> {
  server.statements.reset();
  expect((await request()).errors).toBeUndefined();
  const list = server.statements.sql.filter((sql) => /FROM apps \w+ WHERE .*developer_id = \$\d.*LIMIT/s.test(sql));
  expect(list).toHaveLength(1);
  return server.db.transaction(async (manager) => {
    await manager.query(`SET LOCAL plan_cache_mode = force_generic_plan`);
    await manager.query(`PREPARE app_list_plan AS ${list[0]}`);
    // EXECUTE takes no bind parameters: the values go in as literals.
    const rows: { 'QUERY PLAN': string }[] = await manager.query(`EXPLAIN EXECUTE app_list_plan(${values.map((v) => `'${v}'`).join(', ')})`);
    await manager.query(`DEALLOCATE app_list_plan`);
    return rows.map((row) => row['QUERY PLAN']).join('\n');
  });
}

const APPS = `query ($developerId: ID!, $status: AppStatus) {
  apps(developerId: $developerId, status: $status, first: 50) { edges { node { id name } } }
}`;

// The first request of a query text is answered by the resolvers (AppService.list); the same text
// again by one statement that renders the answer (src/apps/app-rendering.ts). Both must walk.
it("walks the developer's index newest-first for anyone's view of a developer's apps (resolvers)", async () => {
  const plan = await genericPlanOf(() => server.graphql(APPS, { developerId: busy.id }), [busy.id]);
  expect(plan).toMatch(/Index Scan Backward using idx_apps_developer/);
  expect(plan).not.toMatch(/Sort|Bitmap/);
});

it("walks it for the owner's own drafts too (the rendered answer)", async () => {
  const plan = await genericPlanOf(
    () => server.graphql(APPS, { developerId: busy.id, status: 'DRAFT' }, busy.token),
    [busy.id, busy.id, 'draft'],
  );
  expect(plan).toMatch(/Index Scan Backward using idx_apps_developer/);
  expect(plan).not.toMatch(/Sort|Bitmap/);
});
