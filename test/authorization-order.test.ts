import { publishedApp, signUp, signUpWithRole } from './helpers/factories';
import { errorOf, startTestServer, type TestServer } from './helpers/test-server';

/**
 * Finding 7: a caller who may never act gets FORBIDDEN (or NOT_FOUND for what they cannot see)
 * whatever is wrong with the arguments, so an error never describes input they could not use.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const SUSPEND = `mutation ($id: ID!) { suspendApp(id: $id, reason: "malware") { id } }`;
const transition = (name: string) => `mutation ($id: ID!) { ${name}(id: $id) { id } }`;

it('suspendApp with a malformed id: FORBIDDEN for a developer, BAD_USER_INPUT only for an admin', async () => {
  const developer = await signUp(server);
  const admin = await signUpWithRole(server, 'admin');
  expect(errorOf(await server.graphql(SUSPEND, { id: 'bad' }, developer.token)).code).toBe('FORBIDDEN');
  expect(errorOf(await server.graphql(SUSPEND, { id: 'bad' }, admin.token))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
});

it.each(['approveVersion', 'rejectVersion'])('%s with a malformed id: FORBIDDEN for an app owner, BAD_USER_INPUT only for a reviewer', async (name) => {
  const { owner, reviewer } = await publishedApp(server);
  const query = name === 'rejectVersion' ? `mutation ($id: ID!) { rejectVersion(id: $id, notes: "no") { id } }` : transition(name);
  expect(errorOf(await server.graphql(query, { id: 'bad' }, owner.token)).code).toBe('FORBIDDEN');
  expect(errorOf(await server.graphql(query, { id: 'bad' }, reviewer.token))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
});

it.each(['publishVersion', 'submitVersionForReview'])('%s with a malformed id: NOT_FOUND, never a description of the id', async (name) => {
  const { owner, reviewer } = await publishedApp(server);
  for (const token of [reviewer.token, owner.token]) {
    expect(errorOf(await server.graphql(transition(name), { id: 'bad' }, token)).code).toBe('NOT_FOUND');
  }
});
