import { createHash } from 'node:crypto';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import { createMosisClient, MeDocument, MosisGraphQLError, SignUpDocument } from '../sdk';
import persistedOperations from '../sdk/generated/persisted-operations.json';
import { startTestServer, type TestServer } from './helpers/test-server';

const INTROSPECTION = '{ __schema { queryType { name } } }';
const meText = Object.values(persistedOperations).find((text) => text.startsWith('query Me '))!;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function post(server: TestServer, body: Record<string, unknown>) {
  return server.fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

interface ErrorBody {
  data?: unknown;
  errors: { message: string; extensions: { code: string } }[];
}

async function firstError(response: Response) {
  return ((await response.json()) as ErrorBody).errors[0];
}

async function expectRefused(response: Response) {
  expect(response.status).toBe(403);
  const body = (await response.json()) as ErrorBody;
  expect(body.data).toBeUndefined();
  expect(body.errors).toEqual([
    { message: expect.stringMatching(/only persisted operations/i), extensions: { code: 'FORBIDDEN' } },
  ]);
}

describe('PERSISTED_ONLY=true in production', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ PERSISTED_ONLY: 'true', NODE_ENV: 'production' });
  });
  afterAll(() => server.close());

  it('runs the SDK, with automatic persisted queries or with the text', async () => {
    const email = `persisted-${Date.now()}@example.com`;
    const anonymous = createMosisClient({ url: server.url, persisted: true });
    const { signUp } = await anonymous.request(SignUpDocument, { input: { email, name: 'P', password: 'a long enough password' } });
    for (const persisted of [true, false]) {
      const dev = createMosisClient({ url: server.url, token: signUp.token, persisted });
      expect((await dev.request(MeDocument)).me?.email).toBe(email);
    }
  });

  it('accepts a manifest operation by its hash alone once the server has its text', async () => {
    await post(server, { query: meText });
    const response = await post(server, { extensions: { persistedQuery: { version: 1, sha256Hash: sha256(meText) } } });
    // Anonymous, so the operation itself says UNAUTHENTICATED: it got past the allow-list and ran.
    expect((await firstError(response)).extensions.code).toBe('UNAUTHENTICATED');
  });

  it('refuses any other operation, introspection included', async () => {
    await expectRefused(await post(server, { query: '{ me { id email } }' }));
    await expectRefused(await post(server, { query: INTROSPECTION }));
    await expectRefused(await post(server, { query: `${meText} ` })); // not byte for byte the manifest's text
  });

  it('refuses an unknown hash, with or without a text', async () => {
    const text = '{ me { id } }';
    const persistedQuery = { version: 1, sha256Hash: sha256(text) };
    await expectRefused(await post(server, { extensions: { persistedQuery } }));
    await expectRefused(await post(server, { query: text, extensions: { persistedQuery } }));
  });

  it('applies the same allow-list to GET', async () => {
    const get = (query: string) =>
      server.fetch(`/graphql?query=${encodeURIComponent(query)}`, {
        headers: { accept: 'application/json', 'apollo-require-preflight': 'true' },
      });
    await expectRefused(await get(INTROSPECTION));
    expect((await firstError(await get(meText))).extensions.code).toBe('UNAUTHENTICATED');
  });

  it('surfaces the refusal in the SDK as FORBIDDEN', async () => {
    const notInManifest: TypedDocumentNode<{ me: { id: string } | null }> = parse('query AdHoc { me { id } }');
    const error = await createMosisClient({ url: server.url }).request(notInManifest).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MosisGraphQLError);
    expect(error).toMatchObject({ code: 'FORBIDDEN', status: 403 });
  });
});

describe('PERSISTED_ONLY=true in development', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ PERSISTED_ONLY: 'true', NODE_ENV: 'development' });
  });
  afterAll(() => server.close());

  it('keeps GraphiQL working: the page, its introspection and ad-hoc queries', async () => {
    const page = await server.fetch('/graphql', { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Mosis GraphiQL</title>');
    expect(await server.graphql(INTROSPECTION)).toMatchObject({ data: { __schema: { queryType: { name: 'Query' } } } });
    expect((await server.graphql('{ me { id } }')).errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
  });
});
