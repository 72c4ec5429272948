import { migrations } from '../migrations';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { spawnNode } from './helpers/processes';
import { signUp } from './helpers/factories';
import { startTestServer, type TestServer } from './helpers/test-server';

/** `npx mosis …` as operators run it: bin/mosis.js over DATABASE_URL. */
const mosis = async (args: string[], databaseUrl: string) => {
  const run = spawnNode('bin/mosis.js', args, { DATABASE_URL: databaseUrl });
  const { code } = await run.exited;
  return { code, output: run.output() };
};

describe('npx mosis grant-role', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('changes the role, effective for a session already signed in', async () => {
    const dev = await signUp(server, { email: 'promote.me@example.com' });
    const result = await mosis(['grant-role', 'Promote.Me@example.com', 'reviewer'], server.database.url);
    expect(result).toMatchObject({ code: 0 });
    expect(result.output).toContain('promote.me@example.com is now reviewer');
    expect((await server.graphql(`{ me { role } }`, {}, dev.token)).data.me.role).toBe('REVIEWER');
    const [audit] = await server.db.query(`SELECT metadata FROM audit_logs WHERE action = 'developer.grant_role' AND target_id = $1`, [dev.id]);
    expect(audit.metadata).toEqual({ from: 'developer', to: 'reviewer' });
  });

  it('explains a bad role or an unknown email and exits non-zero', async () => {
    await signUp(server, { email: 'stays@example.com' });
    const badRole = await mosis(['grant-role', 'stays@example.com', 'overlord'], server.database.url);
    expect(badRole.code).toBe(1);
    expect(badRole.output).toContain('must be one of developer, reviewer, admin');
    const unknown = await mosis(['grant-role', 'ghost@example.com', 'admin'], server.database.url);
    expect(unknown.code).toBe(1);
    expect(unknown.output).toContain('ghost@example.com was not found');
    const missing = await mosis(['grant-role'], server.database.url);
    expect(missing.code).toBe(2);
  });
});

describe('npx mosis migrate / migrate:revert', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase({ empty: true });
  });
  afterAll(() => database.drop());

  it('applies, reverts one, and re-applies', async () => {
    expect((await mosis(['migrate'], database.url)).output).toContain('applied EnableExtensions');
    expect((await mosis(['migrate'], database.url)).output).toContain('already up to date');
    const last = migrations[migrations.length - 1].name;
    expect((await mosis(['migrate:revert'], database.url)).output).toContain(`reverted ${last}`);
    expect((await mosis(['migrate'], database.url)).output).toContain(`applied ${last}`);
  });

  it('rejects an unknown command with usage', async () => {
    const result = await mosis(['frobnicate'], database.url);
    expect(result.code).toBe(2);
    expect(result.output).toContain('Usage:');
  });
});
