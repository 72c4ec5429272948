import { createApiKey, createApp, createVersion, registerSigningKey, signUp, signUpWithRole, versionInput } from './helpers/factories';
import { errorOf, startTestServer, type TestServer } from './helpers/test-server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const QUEUE = `query ($first: Int, $after: String) {
  versionsAwaitingReview(first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id status versionCode app { packageId } } }
  }
}`;

/** A developer's app with one version per code; `submit` lists the codes sent to review, in that order. */
async function appWithVersions(codes: number[], submit: number[]) {
  const owner = await signUp(server);
  const key = await registerSigningKey(server, owner.token);
  const app = await createApp(server, owner.token);
  const ids = new Map<number, string>();
  for (const code of codes) ids.set(code, (await createVersion(server, owner.token, versionInput(app, key, code))).id);
  for (const code of submit) {
    const result = await server.graphql(`mutation ($id: ID!) { submitVersionForReview(id: $id) { status } }`, { id: ids.get(code) }, owner.token);
    expect(result.errors).toBeUndefined();
  }
  return { owner, app, ids };
}

it('lists every version in REVIEW, longest waiting first, page by page, for a reviewer', async () => {
  const first = await appWithVersions([1, 2], [1]);
  const second = await appWithVersions([1, 2, 3], [3, 2]);
  const reviewer = await signUpWithRole(server, 'reviewer');

  const seen: string[] = [];
  let after: string | null = null;
  let totalCount = 0;
  do {
    const result = await server.graphql(QUEUE, { first: 2, after }, reviewer.token);
    const page: any = result.data.versionsAwaitingReview;
    totalCount = page.totalCount;
    seen.push(...page.edges.map(({ node }: any) => node.id));
    expect(page.edges.every(({ node }: any) => node.status === 'REVIEW')).toBe(true);
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  } while (after);

  expect(seen).toEqual([first.ids.get(1), second.ids.get(3), second.ids.get(2)]);
  expect(totalCount).toBe(3);
});

it('drops a version from the queue once it is approved', async () => {
  const { ids } = await appWithVersions([1], [1]);
  const admin = await signUpWithRole(server, 'admin');
  const approve = await server.graphql(`mutation ($id: ID!) { approveVersion(id: $id) { status } }`, { id: ids.get(1) }, admin.token);
  expect(approve.data.approveVersion.status).toBe('APPROVED');
  const result = await server.graphql(QUEUE, { first: 100 }, admin.token);
  expect(result.data.versionsAwaitingReview.edges.map(({ node }: any) => node.id)).not.toContain(ids.get(1));
});

it('is refused to developers, anonymous callers and API keys without apps:read, before the page arguments are checked', async () => {
  const developer = await signUp(server);
  expect(errorOf(await server.graphql(QUEUE, { first: 1000 }, developer.token))).toMatchObject({ code: 'FORBIDDEN' });
  expect(errorOf(await server.graphql(QUEUE, { first: 1000 }))).toMatchObject({ code: 'UNAUTHENTICATED' });
  const reviewer = await signUpWithRole(server, 'reviewer');
  const telemetryKey = await createApiKey(server, reviewer.token, ['telemetry:read']);
  expect(errorOf(await server.graphql(QUEUE, { first: 1000 }, telemetryKey.secret))).toMatchObject({ code: 'FORBIDDEN' });
  const readKey = await createApiKey(server, reviewer.token, ['apps:read']);
  expect((await server.graphql(QUEUE, { first: 1 }, readKey.secret)).errors).toBeUndefined();
});

it.each([
  ['a page size over 100', { first: 101 }, 'first'],
  ['a cursor of another shape', { after: Buffer.from('[1]').toString('base64url') }, 'after'],
  ['a cursor that is not base64 JSON', { after: '%%%' }, 'after'],
])('refuses %s with BAD_USER_INPUT naming the argument', async (_label, variables, field) => {
  const reviewer = await signUpWithRole(server, 'reviewer');
  expect(errorOf(await server.graphql(QUEUE, variables, reviewer.token))).toMatchObject({ code: 'BAD_USER_INPUT', field });
});
