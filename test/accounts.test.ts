import { signUp, signUpWithRole } from './helpers/factories';
import { errorOf, startTestServer, type TestServer } from './helpers/test-server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const SIGN_UP = `mutation ($input: SignUpInput!) { signUp(input: $input) { token developer { id email name role verified } } }`;
const SIGN_IN = `mutation ($email: String!, $password: String!) { signIn(email: $email, password: $password) { token developer { id } } }`;
const ME = `{ me { id email name role } }`;

describe('signUp', () => {
  it('creates a developer and returns a session token that works for me', async () => {
    const result = await server.graphql(SIGN_UP, {
      input: { email: 'Ada@Example.com', name: 'Ada', password: 'correct horse battery' },
    });
    expect(result.errors).toBeUndefined();
    const { token, developer } = result.data.signUp;
    expect(token).toMatch(/^mss_/);
    expect(developer).toMatchObject({ email: 'Ada@Example.com', name: 'Ada', role: 'DEVELOPER', verified: false });

    const me = await server.graphql(ME, {}, token);
    expect(me.data.me).toMatchObject({ id: developer.id, email: 'Ada@Example.com' });
  });

  it('refuses an email that exists in any letter case with CONFLICT', async () => {
    const first = await signUp(server, { email: 'grace@example.com' });
    expect(first.id).toBeDefined();
    const again = await server.graphql(SIGN_UP, {
      input: { email: 'GRACE@Example.COM', name: 'Grace', password: 'another long password' },
    });
    expect(errorOf(again)).toMatchObject({ code: 'CONFLICT', field: 'email' });
  });

  it.each([
    ['a short password', { email: 'short@example.com', name: 'S', password: 'short' }, 'password'],
    ['a malformed email', { email: 'not-an-email', name: 'M', password: 'long enough password' }, 'email'],
    ['a blank name', { email: 'blank@example.com', name: '   ', password: 'long enough password' }, 'name'],
    ['a password past bcrypt\'s 72 bytes', { email: 'long@example.com', name: 'L', password: 'é'.repeat(40) }, 'password'],
  ])('refuses %s with BAD_USER_INPUT naming the field and stores nothing', async (_label, input, field) => {
    const result = await server.graphql(SIGN_UP, { input });
    expect(errorOf(result)).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(errorOf(result).message).toContain(field);
    const [{ count }] = await server.db.query(`SELECT count(*)::int AS count FROM developers WHERE lower(email) = lower($1)`, [input.email]);
    expect(count).toBe(0);
  });
});

describe('signIn', () => {
  it('accepts the right password in any email case and audits the sign-in', async () => {
    const dev = await signUp(server);
    const result = await server.graphql(SIGN_IN, { email: dev.email.toUpperCase(), password: dev.password });
    expect(result.data.signIn.developer.id).toBe(dev.id);
    const rows = await server.db.query(`SELECT action FROM audit_logs WHERE actor_id = $1 ORDER BY id`, [dev.id]);
    expect(rows.map((r: { action: string }) => r.action)).toEqual(['developer.sign_up', 'developer.sign_in']);
  });

  it('refuses a wrong password with UNAUTHENTICATED and writes an audit row', async () => {
    const dev = await signUp(server);
    const result = await server.graphql(SIGN_IN, { email: dev.email, password: 'wrong password!' });
    expect(errorOf(result).code).toBe('UNAUTHENTICATED');
    const rows = await server.db.query(
      `SELECT actor_id, metadata FROM audit_logs WHERE action = 'developer.sign_in_failed' AND target_id = $1`,
      [dev.id],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].metadata).toEqual({ email: dev.email });
  });

  it('refuses an unknown email the same way, and audits it too', async () => {
    const result = await server.graphql(SIGN_IN, { email: 'nobody@example.com', password: 'whatever password' });
    expect(errorOf(result)).toMatchObject({ code: 'UNAUTHENTICATED', message: 'Email or password is incorrect.' });
    const rows = await server.db.query(
      `SELECT actor_id FROM audit_logs WHERE action = 'developer.sign_in_failed' AND metadata->>'email' = 'nobody@example.com'`,
    );
    expect(rows).toEqual([{ actor_id: null }]);
  });
});

describe('sessions', () => {
  it('stop working after signOut', async () => {
    const dev = await signUp(server);
    expect((await server.graphql(`mutation { signOut }`, {}, dev.token)).data.signOut).toBe(true);
    expect(errorOf(await server.graphql(ME, {}, dev.token)).code).toBe('UNAUTHENTICATED');
  });

  it('stop working once expired', async () => {
    const dev = await signUp(server);
    await server.db.query(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE developer_id = $1`, [dev.id]);
    const result = await server.graphql(ME, {}, dev.token);
    expect(result.status).toBe(401);
    expect(errorOf(result).code).toBe('UNAUTHENTICATED');
  });

  it('refuse garbage and malformed Authorization headers instead of falling back to anonymous', async () => {
    for (const header of ['Bearer mss_forged', 'Bearer nonsense', 'Basic abc']) {
      const response = await server.fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: header },
        body: JSON.stringify({ query: ME }),
      });
      expect(response.status).toBe(401);
      expect(((await response.json()) as any).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    }
  });

  it('anonymous callers get UNAUTHENTICATED from me', async () => {
    expect(errorOf(await server.graphql(ME)).code).toBe('UNAUTHENTICATED');
  });
});

describe('roles and developerByEmail', () => {
  const BY_EMAIL = `query ($email: String!) { developerByEmail(email: $email) { id email role } }`;

  it('lets a developer look themself up but not others, whether or not they exist', async () => {
    const me = await signUp(server);
    const other = await signUp(server);
    expect((await server.graphql(BY_EMAIL, { email: me.email.toUpperCase() }, me.token)).data.developerByEmail.id).toBe(me.id);
    expect(errorOf(await server.graphql(BY_EMAIL, { email: other.email }, me.token)).code).toBe('FORBIDDEN');
    expect(errorOf(await server.graphql(BY_EMAIL, { email: 'ghost@example.com' }, me.token)).code).toBe('FORBIDDEN');
  });

  it('applies a role change to a session that is already signed in', async () => {
    const dev = await signUp(server);
    const other = await signUp(server);
    expect(errorOf(await server.graphql(BY_EMAIL, { email: other.email }, dev.token)).code).toBe('FORBIDDEN');
    await server.services.developers.grantRole(dev.email, 'admin');
    const result = await server.graphql(BY_EMAIL, { email: other.email }, dev.token);
    expect(result.data.developerByEmail).toMatchObject({ id: other.id, email: other.email, role: 'DEVELOPER' });
    expect((await server.graphql(BY_EMAIL, { email: 'ghost@example.com' }, dev.token)).data.developerByEmail).toBeNull();
  });

  it('shows another developer\'s email to reviewers but not to developers', async () => {
    const reviewer = await signUpWithRole(server, 'reviewer');
    const dev = await signUp(server);
    const admin = await signUpWithRole(server, 'admin');
    const query = `query ($email: String!) { developerByEmail(email: $email) { email } }`;
    expect((await server.graphql(query, { email: reviewer.email }, admin.token)).data.developerByEmail.email).toBe(reviewer.email);
    expect(errorOf(await server.graphql(query, { email: reviewer.email }, dev.token)).code).toBe('FORBIDDEN');
  });
});

describe('secrets at rest', () => {
  it('stores neither the password nor the session token anywhere in the database', async () => {
    const dev = await signUp(server);
    const tables: { table_name: string }[] = await server.db.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
    );
    for (const { table_name } of tables) {
      const rows = await server.db.query(`SELECT t::text AS row FROM "${table_name}" t`);
      for (const { row } of rows) {
        expect(row).not.toContain(dev.password);
        expect(row).not.toContain(dev.token);
      }
    }
    const [{ password_hash }] = await server.db.query(`SELECT password_hash FROM developers WHERE id = $1`, [dev.id]);
    expect(password_hash).toMatch(/^\$2b\$04\$/);
  });
});
