import { signUp } from './helpers/factories';
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
