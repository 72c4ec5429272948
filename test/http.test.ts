import { createApp, createVersion, registerSigningKey, signUp, versionInput } from './helpers/factories';
import { errorOf, startTestServer, type TestServer } from './helpers/test-server';

describe('HTTP surface', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('answers /healthz and /readyz', async () => {
    const health = await server.fetch('/healthz');
    expect(health.status).toBe(200);
    const ready = await server.fetch('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('serves GraphiQL to a browser at GET /graphql, from this server only', async () => {
    const page = await server.fetch('/graphql', { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('Mosis GraphiQL');
    expect(html).not.toMatch(/https?:\/\//);
    for (const [, asset] of html.matchAll(/(?:src|href)="([^"]+)"/g)) {
      expect((await server.fetch(asset)).status).toBe(200);
    }
  });

  it('still answers GraphQL over GET for API clients', async () => {
    const response = await server.fetch('/graphql?query=%7B__typename%7D', {
      headers: { accept: 'application/json', 'apollo-require-preflight': 'true' },
    });
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
  });
});

describe('errors in production', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ NODE_ENV: 'production' });
  });
  afterAll(() => server.close());

  it('an unexpected database failure is INTERNAL_SERVER_ERROR with no SQL or stack', async () => {
    const dev = await signUp(server);
    await server.db.query(`ALTER TABLE developers RENAME COLUMN name TO full_name`);
    try {
      const result = await server.graphql(`{ me { id name } }`, {}, dev.token);
      expect(errorOf(result)).toMatchObject({ code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' });
      const body = JSON.stringify(result);
      expect(body).not.toMatch(/SELECT|"name"|full_name|does not exist|stacktrace|\.js:/i);
    } finally {
      await server.db.query(`ALTER TABLE developers RENAME COLUMN full_name TO name`);
    }
  });

  it('contract errors keep their code and message, without a stack', async () => {
    const result = await server.graphql(`{ me { id } }`);
    expect(result.errors?.[0].extensions).toEqual({ code: 'UNAUTHENTICATED' });
  });
});

describe('errors in development', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ NODE_ENV: 'development' });
  });
  afterAll(() => server.close());

  it('expected errors carry no stack trace: a wrong password, a parse error', async () => {
    const wrongPassword = await server.graphql(`mutation { signIn(email: "nobody@example.com", password: "not the password") { token } }`);
    expect(wrongPassword.errors?.[0].extensions).toEqual({ code: 'UNAUTHENTICATED' });
    const parseError = await server.graphql(`{ me {`);
    expect(parseError.errors?.[0].extensions).toEqual({ code: 'GRAPHQL_PARSE_FAILED' });
  });

  it('an unexpected error shows its message and stack trace, for the developer to debug', async () => {
    const dev = await signUp(server);
    await server.db.query(`ALTER TABLE developers RENAME COLUMN name TO full_name`);
    try {
      const result = await server.graphql(`{ me { id name } }`, {}, dev.token);
      expect(result.errors?.[0].message).toMatch(/name/);
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'INTERNAL_SERVER_ERROR', stacktrace: expect.any(Array) });
    } finally {
      await server.db.query(`ALTER TABLE developers RENAME COLUMN full_name TO name`);
    }
  });
});

describe('POST /graphql with a body that is not JSON', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  const post = async (headers: Record<string, string>, body: string) => {
    // Bytes, not a string: fetch would add "text/plain" to a string body.
    const response = await server.fetch('/graphql', { method: 'POST', headers, body: new TextEncoder().encode(body) });
    return { status: response.status, body: (await response.json()) as { errors: { message: string; extensions: { code: string } }[] } };
  };

  it.each([
    ['no content type', {}, 'got no content type'],
    ['a form content type (curl -d)', { 'content-type': 'application/x-www-form-urlencoded' }, 'got "application/x-www-form-urlencoded"'],
  ])('%s gets HTTP 415 as a GraphQL error saying what to send', async (_case, headers, got) => {
    const { status, body } = await post(headers, '{"query": "{ __typename }"}');
    expect(status).toBe(415);
    expect(body.errors).toEqual([{ message: expect.stringContaining('Content-Type: application/json'), extensions: { code: 'BAD_REQUEST' } }]);
    expect(body.errors[0].message).toContain(got);
  });

  it('text/plain gets HTTP 400 as a GraphQL error (refused as a possible cross-site request)', async () => {
    const { status, body } = await post({ 'content-type': 'text/plain' }, '{"query": "{ __typename }"}');
    expect(status).toBe(400);
    expect(body.errors).toEqual([{ message: expect.stringContaining('content-type'), extensions: { code: 'BAD_REQUEST' } }]);
  });

  it('broken JSON gets HTTP 400 as a GraphQL error', async () => {
    const { status, body } = await post({ 'content-type': 'application/json' }, '{"query": ');
    expect(status).toBe(400);
    expect(body.errors).toEqual([{ message: expect.any(String), extensions: { code: 'BAD_REQUEST' } }]);
  });
});

it('BigInt values pass through GraphQL without a plain-text warning in the log, and keep their digits', async () => {
  const server = await startTestServer();
  const warn = jest.spyOn(console, 'warn');
  try {
    const owner = await signUp(server);
    const key = await registerSigningKey(server, owner.token);
    const app = await createApp(server, owner.token);
    await createVersion(server, owner.token, versionInput(app, key, 1, { packageSize: '9007199254740993' })); // 2^53 + 1
    const read = await server.graphql(`query ($id: ID!) { app(id: $id) { versions { edges { node { packageSize } } } } }`, { id: app.id }, owner.token);
    expect(read.data.app.versions.edges[0].node.packageSize).toBe('9007199254740993');
    expect(warn).not.toHaveBeenCalled();
  } finally {
    warn.mockRestore();
    await server.close();
  }
});
