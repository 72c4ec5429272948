import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';

const ASSET_PREFIX = '/graphiql/assets/';

/**
 * Checked against GraphiQL 3.8.3 in headless Chromium (render, introspection, docs explorer, settings
 * dialog): no violation reports with this policy, and each inline/data:/connect source removed one at a
 * time did produce one (except img-src data:, whose images only appear on query errors).
 * - script-src 'unsafe-inline': the bootstrap script below is inline because it carries the endpoint.
 * - style-src 'unsafe-inline': our <style> block, plus the <style> element react-remove-scroll injects
 *   whenever a GraphiQL dialog opens.
 * - font-src data:: graphiql.min.css embeds its Roboto and Fira Code fonts as data: URIs.
 * - img-src data:: the same CSS draws CodeMirror's lint squiggles and markers from data: PNGs.
 * Not needed: 'unsafe-eval' (the bundle has no eval; its one `new Function` is webpack's fallback for
 * browsers without globalThis) and worker-src (no workers or blob: URLs).
 * The caller must send this header with the page, since graphiqlPage only returns the HTML string.
 */
export const GRAPHIQL_CSP = [
  "default-src 'none'",
  "script-src 'self' 'unsafe-inline'",
  "style-src 'self' 'unsafe-inline'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** A GET with `?query=` is an API call even from a browser, so only bare navigations get the IDE. */
export function wantsGraphiql(request: FastifyRequest): boolean {
  if (request.method !== 'GET') return false;
  if (!(request.headers.accept ?? '').includes('text/html')) return false;
  // Read the raw URL rather than request.query so a custom querystring parser cannot change the answer.
  const queryStart = request.url.indexOf('?');
  const search = queryStart === -1 ? '' : request.url.slice(queryStart + 1);
  return !new URLSearchParams(search).has('query');
}

/**
 * The first tab: runnable as it stands. Press play, pick SignUp, and the answer carries a token;
 * the email is fresh on every page load so a second visitor (or a second try) does not collide.
 */
function welcomeDocument(email: string): string {
  return `# Welcome to the Mosis GraphQL API.
#
# 1. Press the play button (or Ctrl+Enter) and pick SignUp: it creates an
#    account and answers with a token.
# 2. Put the token in the Headers pane below, replacing the hint:
#      { "Authorization": "Bearer <token>" }
# 3. Run Me: it now answers as you. SignIn gets a new token later.
#
# The Explorer (compass icon, left) builds queries by clicking through the
# schema; the Docs (book icon) describe every type and field.

mutation SignUp {
  signUp(input: {email: "${email}", name: "Ada Lovelace", password: "a long enough password"}) {
    token
    developer { id email }
  }
}

mutation SignIn {
  signIn(email: "${email}", password: "a long enough password") {
    token
  }
}

query Me {
  me { id email name role }
}
`;
}

/**
 * The Headers pane must hold JSON (GraphiQL refuses anything else when it runs a query), so the
 * hint is a harmless header of its own rather than a comment.
 */
const WELCOME_HEADERS = JSON.stringify(
  { 'X-Mosis-Hint': 'after SignUp or SignIn, replace this line with "Authorization": "Bearer <token>"' },
  null,
  2,
);

/** JSON is a valid JS expression; escaping `<` keeps `</script>` or `<!--` in a value from ending the script early. */
function toScriptLiteral(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/** `welcomeEmail`: the address the welcome document signs up with, fresh for every page by default. */
export function graphiqlPage(opts: { endpoint: string; welcomeEmail?: string }): string {
  const welcomeEmail = opts.welcomeEmail ?? `dev-${randomBytes(4).toString('hex')}@example.com`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Mosis GraphiQL</title>
<style>
html, body, #graphiql { height: 100vh; margin: 0; }
</style>
<link rel="stylesheet" href="${ASSET_PREFIX}graphiql.min.css">
<link rel="stylesheet" href="${ASSET_PREFIX}graphiql-explorer.css">
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script src="${ASSET_PREFIX}react.production.min.js"></script>
<script src="${ASSET_PREFIX}react-dom.production.min.js"></script>
<script src="${ASSET_PREFIX}graphiql.min.js"></script>
<script src="${ASSET_PREFIX}graphiql-explorer.umd.js"></script>
<script>
const explorer = GraphiQLPluginExplorer.explorerPlugin();
ReactDOM.createRoot(document.getElementById('graphiql')).render(
  React.createElement(GraphiQL, {
    fetcher: GraphiQL.createFetcher({ url: ${toScriptLiteral(opts.endpoint)} }),
    defaultQuery: ${toScriptLiteral(welcomeDocument(welcomeEmail))},
    defaultHeaders: ${toScriptLiteral(WELCOME_HEADERS)},
    plugins: [explorer],
    visiblePlugin: explorer,
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: true,
    defaultEditorToolsVisibility: 'headers',
  }),
);
</script>
</body>
</html>
`;
}

type Asset = { packageName: string; relativePath: string; contentType: string };

const JS = 'application/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

// Keyed by the public file name: a request can only ever reach these files, so there is no path to traverse.
const ASSETS = new Map<string, Asset>([
  ['react.production.min.js', { packageName: 'react', relativePath: 'umd/react.production.min.js', contentType: JS }],
  ['react-dom.production.min.js', { packageName: 'react-dom', relativePath: 'umd/react-dom.production.min.js', contentType: JS }],
  ['graphiql.min.js', { packageName: 'graphiql', relativePath: 'graphiql.min.js', contentType: JS }],
  ['graphiql.min.css', { packageName: 'graphiql', relativePath: 'graphiql.min.css', contentType: CSS }],
  ['graphiql-explorer.umd.js', { packageName: '@graphiql/plugin-explorer', relativePath: 'dist/index.umd.js', contentType: JS }],
  ['graphiql-explorer.css', { packageName: '@graphiql/plugin-explorer', relativePath: 'dist/style.css', contentType: CSS }],
]);

// The bundles total about 4 MB and most server runs never open GraphiQL, so read each one on first request only.
const assetBodies = new Map<string, Promise<Buffer>>();

function loadAsset(name: string, asset: Asset): Promise<Buffer> {
  let body = assetBodies.get(name);
  if (!body) {
    const packageDir = path.dirname(require.resolve(`${asset.packageName}/package.json`));
    body = readFile(path.join(packageDir, asset.relativePath));
    // Forget a failed read so a later request can retry instead of failing forever.
    body.catch(() => assetBodies.delete(name));
    assetBodies.set(name, body);
  }
  return body;
}

export function registerGraphiqlAssets(app: FastifyInstance): void {
  app.get<{ Params: { file: string } }>(`${ASSET_PREFIX}:file`, async (request, reply) => {
    const asset = ASSETS.get(request.params.file);
    if (!asset) return reply.code(404).send({ error: 'not found' });
    const body = await loadAsset(request.params.file, asset);
    return reply
      .header('content-type', asset.contentType)
      .header('cache-control', 'public, max-age=86400')
      .send(body);
  });
}
