import { createApp, publishedApp, signUp, signUpWithRole } from './helpers/factories';
import { errorOf, startTestServer, type TestServer } from './helpers/test-server';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  const reviewer = await signUpWithRole(server, 'reviewer');
  const make = async (name: string, description: string, tags: string[], category = 'productivity') =>
    publishedApp(server, { name, description, tags, category }, reviewer);
  await make('Notes', 'Write things down quickly', ['writing', 'productivity']);
  await make('Sticky Notepad', 'Colourful sticky squares', ['writing']);
  await make('Weather Now', 'Forecasts, with notes about rain', ['weather'], 'utilities');
  await make('Chess Master', 'Play against the computer', ['games', 'board'], 'games');
  await make('Checkers', 'A board game classic', ['games', 'board', 'classic'], 'games');
  const owner = await signUp(server);
  await createApp(server, owner.token, { name: 'Notes Draft', description: 'unpublished notes' });
});
afterAll(() => server.close());

const SEARCH = `query ($query: String, $tags: [String!], $category: String, $first: Int, $after: String) {
  searchApps(query: $query, tags: $tags, category: $category, first: $first, after: $after) {
    totalCount edges { cursor node { id name status } } pageInfo { hasNextPage endCursor }
  }
}`;
const names = async (variables: Record<string, unknown>) =>
  (await server.graphql(SEARCH, variables)).data.searchApps.edges.map((e: any) => e.node.name);

it('ranks a name match above a description match, and leaves drafts out', async () => {
  const found = await names({ query: 'notes' });
  expect(found[0]).toBe('Notes');
  expect(found).toContain('Weather Now');
  expect(found.indexOf('Notes')).toBeLessThan(found.indexOf('Weather Now'));
  expect(found).not.toContain('Notes Draft');
});

it('matches an unfinished last word as a prefix', async () => {
  expect(await names({ query: 'chess mas' })).toEqual(['Chess Master']);
  expect(await names({ query: 'forec' })).toEqual(['Weather Now']);
});

it('tolerates typos in short queries', async () => {
  expect(await names({ query: 'notse' })).toContain('Notes');
  expect(await names({ query: 'chekers' })).toContain('Checkers');
});

it('requires every given tag, case-insensitively, and filters by category', async () => {
  expect((await names({ tags: ['Games'] })).sort()).toEqual(['Checkers', 'Chess Master']);
  expect(await names({ tags: ['games', 'classic'] })).toEqual(['Checkers']);
  expect(await names({ tags: ['games', 'writing'] })).toEqual([]);
  expect(await names({ query: 'board', category: 'games', tags: ['classic'] })).toEqual(['Checkers']);
  expect(await names({ category: 'utilities' })).toEqual(['Weather Now']);
});

it('pages through results with stable cursors and a total count', async () => {
  const all = await names({ first: 100 });
  expect(all).toHaveLength(5);
  const paged: string[] = [];
  let after: string | null = null;
  for (;;) {
    const page: any = (await server.graphql(SEARCH, { first: 2, after })).data.searchApps;
    expect(page.totalCount).toBe(5);
    paged.push(...page.edges.map((e: any) => e.node.name));
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }
  expect(paged).toEqual(all);

  const ranked = await names({ query: 'notes', first: 1 });
  const rest = (await server.graphql(SEARCH, { query: 'notes', first: 10, after: (await server.graphql(SEARCH, { query: 'notes', first: 1 })).data.searchApps.pageInfo.endCursor })).data.searchApps;
  expect([...ranked, ...rest.edges.map((e: any) => e.node.name)]).toEqual(await names({ query: 'notes' }));
});

it('refuses a forged cursor and oversize queries with BAD_USER_INPUT', async () => {
  expect(errorOf(await server.graphql(SEARCH, { after: Buffer.from('[1,2]').toString('base64url') }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  expect(errorOf(await server.graphql(SEARCH, { query: 'a b c d e f g h i j k l m n' }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'query' });
});

it('treats punctuation and SQL-looking input as plain words', async () => {
  expect(await names({ query: "notes'); DROP TABLE apps; --" })).toEqual([]);
  expect(await names({ query: '!!!' })).toHaveLength(5);
});
