import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { signUpWithRole } from './helpers/factories';
import { ROOT, spawnNode } from './helpers/processes';
import { startTestServer, type TestServer } from './helpers/test-server';

/** The README's worked example, run verbatim against a live server. */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

it('signs, uploads and publishes a package as the README shows', async () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const block = /<!-- worked-example:start -->\n```js\n([\s\S]+?)```\n<!-- worked-example:end -->/.exec(readme);
  expect(block).not.toBeNull();
  const script = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mosis-readme-')), 'example.js');
  fs.writeFileSync(script, block![1]);
  const reviewer = await signUpWithRole(server, 'reviewer');

  const run = spawnNode(path.relative(ROOT, script), [], { MOSIS_URL: server.url, REVIEWER_TOKEN: reviewer.token });
  const { code } = await run.exited;
  expect(run.output()).not.toContain('Error');
  expect(code).toBe(0);
  const app = JSON.parse(run.output().trim());
  expect(app).toMatchObject({ status: 'PUBLISHED', latestVersion: { versionName: '1.0.0' } });
  fs.rmSync(path.dirname(script), { recursive: true });
});
