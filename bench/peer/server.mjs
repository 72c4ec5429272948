// PostGraphile 5.1 over the project's database: the peer `npm run bench` measures the Mosis server
// against. It is what a team would run instead of writing the API: the amber preset (the
// recommended v5 defaults, Relay-style connections) plus the community connection-filter plugin
// for range conditions ("events of one day", "the last 90 days"), which PostGraphile's built-in
// `condition` argument cannot express. Full-text search and crash-group statistics are SQL
// functions in schema `bench_peer` (bench/peer/functions.sql), the way PostGraphile users add
// such queries. Production settings: no GraphiQL, no explain, no watch mode.
//
//   DATABASE_URL=… PORT=… NODE_ENV=production node_modules/node/bin/node server.mjs
//
// PostGraphile 5.1 needs Node >= 22 (Promise.withResolvers); the npm package `node` in this
// folder provides it, for this server only. Pool: node-postgres' default of 10 connections.
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { postgraphile } from "postgraphile";
import { grafserv } from "postgraphile/grafserv/node";
import { makePgService } from "postgraphile/adaptors/pg";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { PostGraphileConnectionFilterPreset } from "postgraphile-plugin-connection-filter";

const { version } = JSON.parse(readFileSync(new URL("./node_modules/postgraphile/package.json", import.meta.url), "utf8"));
const { DATABASE_URL, PORT } = process.env;
if (!DATABASE_URL || !PORT) {
  console.error("DATABASE_URL and PORT must be set");
  process.exit(2);
}
if (Number(process.versions.node.split(".")[0]) < 22) {
  console.error(`PostGraphile ${version} needs Node >= 22, this is ${process.version}: run node_modules/node/bin/node server.mjs`);
  process.exit(2);
}

const preset = {
  extends: [PostGraphileAmberPreset, PostGraphileConnectionFilterPreset],
  pgServices: [makePgService({ connectionString: DATABASE_URL, schemas: ["public", "bench_peer"] })],
  schema: {
    connectionFilterAllowedOperators: ["equalTo", "lessThan", "lessThanOrEqualTo", "greaterThan", "greaterThanOrEqualTo", "in"],
  },
  grafserv: { graphqlPath: "/graphql", graphiql: false, watch: false, websockets: false },
  grafast: { explain: false },
};

const pgl = postgraphile(preset);
const server = createServer();
server.on("error", (error) => {
  console.error(error);
  process.exit(1);
});
await pgl.createServ(grafserv).addTo(server);
await pgl.getSchema(); // built before the first request, so no request pays for it
server.listen({ host: "127.0.0.1", port: Number(PORT) }, () => {
  console.log(`PostGraphile ${version} on Node ${process.version} at http://127.0.0.1:${PORT}/graphql`);
});

const shutdown = async () => {
  server.close();
  await pgl.release();
  process.exit(0);
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
