import { errorOf, startTestServer, type TestServer } from './helpers/test-server';

/** Operations run compiled (src/graphql/executor.ts); what clients see must be what graphql-js gives. */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

it('a variable of the wrong type is BAD_USER_INPUT with HTTP 400, worded as graphql-js words it', async () => {
  const result = await server.graphql(`query($first: Int) { apps(first: $first) { edges { node { id } } } }`, { first: 'ten' });
  expect(result.status).toBe(400);
  expect(errorOf(result)).toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringContaining('Variable "$first" got invalid value "ten"') });
});

it('a document with two operations runs the one named in the request', async () => {
  const document = `query A { apps(first: 1) { edges { node { id } } } } query B { __typename }`;
  const response = await server.fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: document, operationName: 'B' }),
  });
  expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
});


it('a resolver error keeps its code, path and location', async () => {
  const result = await server.graphql(`{ me { id } }`);
  expect(result.errors).toEqual([
    expect.objectContaining({ path: ['me'], locations: [{ line: 1, column: 3 }], extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) }),
  ]);
});

it.each([
  [{ query: 'query A { __typename } query B { __typename }' }, 'Must provide operation name'],
  [{ query: 'query A { __typename }', operationName: 'B' }, 'Unknown operation named "B"'],
])('a request naming no runnable operation is a 400, not a 5xx (%j)', async (body, message) => {
  const response = await server.fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.status).toBe(400);
  const { errors } = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
  expect(errors).toEqual([expect.objectContaining({ message: expect.stringContaining(message), extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } })]);
});
