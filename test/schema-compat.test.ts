import { checkCommittedSchema, compareSchemas } from '../scripts/schema-check';

/** Schema discipline: a breaking change since the last release must be announced (schema/README.md). */
it('schema.graphql breaks nothing of the last release without an announcement (`npm run schema:check` lists the changes)', async () => {
  const report = await checkCommittedSchema();
  expect(report.unannounced.map((change) => `${change.path}: ${change.message}`)).toEqual([]);
  expect(report.staleAnnouncements).toEqual([]);
});

describe('the compatibility check', () => {
  const released = `type Query { app(id: ID!): App }  type App { id: ID! name: String! legacyScore: Int }`;
  const added = `type Query { app(id: ID!): App apps: [App!]! }  type App { id: ID! name: String! legacyScore: Int }`;
  const removed = `type Query { app(id: ID!): App }  type App { id: ID! name: String! }`;

  it('lets additions through', async () => {
    const report = await compareSchemas(released, added, []);
    expect(report.changes.map((change) => change.path)).toEqual(['Query.apps']);
    expect(report.unannounced).toEqual([]);
  });

  it('fails on an unannounced removal, and passes once it is announced', async () => {
    const unannounced = await compareSchemas(released, removed, []);
    expect(unannounced.unannounced.map((change) => [change.criticality.level, change.path])).toEqual([['BREAKING', 'App.legacyScore']]);

    const announced = await compareSchemas(released, removed, [{ path: 'App.legacyScore', reason: 'replaced by ratings' }]);
    expect(announced.unannounced).toEqual([]);
    expect(announced.staleAnnouncements).toEqual([]);
  });

  it('flags an announcement that matches no breaking change', async () => {
    const report = await compareSchemas(released, added, [{ path: 'App.name', reason: 'never happened' }]);
    expect(report.staleAnnouncements).toEqual([{ path: 'App.name', reason: 'never happened' }]);
  });
});
