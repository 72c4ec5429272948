import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { createApiKey, createApp, signUp } from './helpers/factories';
import { ROOT } from './helpers/processes';
import { startTestServer, type TestServer } from './helpers/test-server';

/** The README's curl examples for ingestion, run as written (only the server's address swapped), today and any day. */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

it('the telemetry and crash curl examples are accepted as the README says', async () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Telemetry and crash reports'));
  const block = /```sh\n([\s\S]+?)```/.exec(section)![1];
  expect(block).not.toMatch(/\d{4}-\d\d-\d\dT/); // no hard-coded timestamp that retention will one day refuse

  const developer = await signUp(server);
  const app = await createApp(server, developer.token);
  const key = await createApiKey(server, developer.token, ['telemetry:write']);
  // Asynchronously: the server answering curl runs in this process.
  const { stdout } = await promisify(execFile)('bash', ['-c', block.replaceAll('http://127.0.0.1:4000', server.url)], {
    env: { ...process.env, MOSIS_KEY: key.secret, APP_ID: app.id },
  });
  expect(stdout).toBe('{"accepted":1,"duplicates":0}{"accepted":1,"duplicates":0}');
});
