import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { CONSOLE_BUILD_DIR, CONSOLE_CSP, registerConsole } from '../src/http/console';
import { startTestServer, type TestServer } from './helpers/test-server';

// How the server hands out the built console (npm test builds it first: see package.json's pretest).

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const builtAssets = () => fs.readdirSync(path.join(CONSOLE_BUILD_DIR, 'assets'));

it.each(['/console', '/console/', '/console/apps/123/telemetry', '/console/api-keys'])(
  'serves the single-page app for %s, revalidated on every load, under a policy that allows only this server',
  async (url) => {
    const response = await server.fetch(url, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
    const html = await response.text();
    expect(html).toContain('<div id="root"></div>');
    // Every script and stylesheet it names is one of the built assets, by a path on this server.
    const referenced = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]);
    expect(referenced.length).toBeGreaterThanOrEqual(2);
    for (const ref of referenced) expect(builtAssets()).toContain(ref.replace(/^\/console\/assets\//, ''));
  },
);

it('serves the hashed bundles with a year-long immutable cache', async () => {
  const script = builtAssets().find((name) => name.endsWith('.js'))!;
  const response = await server.fetch(`/console/assets/${script}`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/javascript/);
  expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  expect((await response.text()).length).toBeGreaterThan(1000);
});

it('answers 404 for a bundle that does not exist, not the page (a stale script tag must fail visibly)', async () => {
  const response = await server.fetch('/console/assets/missing-abc123.js');
  expect(response.status).toBe(404);
  expect(await response.text()).not.toContain('<div id="root">');
});

it.each(['/console/assets/..%2F..%2F..%2Fpackage.json', '/console/assets/%2e%2e/%2e%2e/%2e%2e/package.json'])(
  'refuses %s, a path out of the bundles',
  async (url) => {
    const response = await server.fetch(url);
    expect([403, 404]).toContain(response.status);
    expect(await response.text()).not.toContain('mosis-platform');
  },
);

it('says how to build the console when it has not been built', async () => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'mosis-console-'));
  const app = Fastify();
  try {
    await registerConsole(app, empty);
    const response = await app.inject({ url: '/console/apps' });
    expect(response.statusCode).toBe(503);
    expect(response.body).toContain('npm run build:console');
  } finally {
    await app.close();
    fs.rmSync(empty, { recursive: true, force: true });
  }
});
