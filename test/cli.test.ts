import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrations } from '../migrations';
import packageJson from '../package.json';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { ROOT, spawnNode, spawnNodeInTerminal } from './helpers/processes';
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

  it('shows long work as a progress bar with rate and ETA on a terminal', async () => {
    const file = path.join(os.tmpdir(), `mosis-cli-progress-${process.pid}.dump`);
    const run = spawnNodeInTerminal('bin/mosis.js', ['backup', file], { DATABASE_URL: server.database.url });
    try {
      expect((await run.exited).code).toBe(0);
      expect(run.output()).toMatch(/[=-]{30} 100% \| (\d+)\/\1 tables \| [\d,]+ tables\/s \| ETA \d+s \| public\./);
      expect(run.output()).not.toMatch(/^\[\d+\/\d+\]/m); // the plain lines are for pipes and logs only
    } finally {
      fs.rmSync(file, { force: true });
    }
  });

  it('explains a bad role or an unknown email and exits non-zero', async () => {
    await signUp(server, { email: 'stays@example.com' });
    const badRole = await mosis(['grant-role', 'stays@example.com', 'overlord'], server.database.url);
    expect(badRole.code).toBe(2);
    expect(badRole.output).toContain('Allowed choices are developer, reviewer, admin');
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

describe('npx mosis migrate:status', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase({ empty: true });
  });
  afterAll(() => database.drop());

  it('lists pending migrations (exit 1) until they are applied, then lists them as applied', async () => {
    const names = migrations.map((m) => m.name);
    const before = await mosis(['migrate:status'], database.url);
    expect(before.code).toBe(1);
    expect(before.output).toContain(`0 applied, ${names.length} pending`);
    expect(before.output).toContain(`  ${names[0]}\n`);
    expect(before.output).toContain('run `npx mosis migrate`');

    await mosis(['migrate'], database.url);
    const after = await mosis(['migrate:status'], database.url);
    expect(after.code).toBe(0);
    expect(after.output).toContain(`${names.length} applied, 0 pending`);
    const appliedSection = after.output.slice(after.output.indexOf('Applied'), after.output.indexOf('Pending'));
    expect(appliedSection.trim().split('\n').slice(1).map((line) => line.trim())).toEqual(names);
    expect(after.output).toContain('the database schema is up to date');
  });
});

describe('npx mosis as a user meets it', () => {
  // No DATABASE_URL and a DATA_DIR that does not exist: anything that started the embedded
  // PostgreSQL would create it.
  const dataDir = path.join(os.tmpdir(), `mosis-cli-untouched-${process.pid}`);
  const offline = (args: string[]) => {
    const run = spawnNode('bin/mosis.js', args, { DATABASE_URL: '', DATA_DIR: dataDir });
    return run.exited.then(({ code }) => ({ code, output: run.output() }));
  };
  afterEach(() => expect(fs.existsSync(dataDir)).toBe(false));

  it('prints its version and the list of commands', async () => {
    const version = await offline(['--version']);
    expect(version).toEqual({ code: 0, output: `${packageJson.version}\n` });
    const help = await offline(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['migrate', 'migrate:status', 'migrate:revert', 'grant-role', 'backup', 'restore', 'monitor', 'partitions']) {
      expect(help.output).toMatch(new RegExp(`^  ${command} `, 'm'));
    }
  });

  it('explains a command with --help and does nothing else', async () => {
    const target = path.join(os.tmpdir(), `mosis-cli-help-${process.pid}.dump`);
    for (const args of [['backup', '--help'], ['backup', target, '--help'], ['help', 'backup']]) {
      const result = await offline(args);
      expect(result.code).toBe(0);
      expect(result.output).toContain('Usage: mosis backup [options] <file>');
    }
    expect(fs.existsSync(target)).toBe(false);
    expect(fs.existsSync(path.join(ROOT, '--help'))).toBe(false);
  });

  it('suggests the command meant by a typo and exits 2 without starting a database', async () => {
    const result = await offline(['migrat']);
    expect(result.code).toBe(2);
    expect(result.output).toContain("unknown command 'migrat'");
    expect(result.output).toContain('(Did you mean migrate?)');
  });

  it('rejects wrong arguments before touching the database', async () => {
    const badRole = await offline(['grant-role', 'someone@example.com', 'overlord']);
    expect(badRole.code).toBe(2);
    expect(badRole.output).toContain("'overlord' is invalid for argument 'role'");
    const missing = await offline(['restore']);
    expect(missing.code).toBe(2);
    expect(missing.output).toContain("missing required argument 'file'");
    const unknownOption = await offline(['monitor', '--jsn']);
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.output).toContain('(Did you mean --json?)');
  });
});
