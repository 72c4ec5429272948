import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { signUpWithRole } from './helpers/factories';
import { ROOT } from './helpers/processes';
import { startTestServer, type TestServer } from './helpers/test-server';

/** The README's SDK section: its command, run as written (it compiles the SDK and the example with tsc first). */
const COMMAND = 'npm run example';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

function run(command: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, { cwd: ROOT, shell: true, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

it('the README tells a new user this command', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  expect(readme).toContain(`REVIEWER_EMAIL=reviewer@example.com REVIEWER_PASSWORD='reviewer password' ${COMMAND}`);
});

it('publishes an app and reads its telemetry through the SDK', async () => {
  const reviewer = await signUpWithRole(server, 'reviewer');
  const { code, output } = await run(COMMAND, {
    MOSIS_URL: server.url,
    REVIEWER_EMAIL: reviewer.email,
    REVIEWER_PASSWORD: reviewer.password,
  });
  expect(output).not.toMatch(/error/i);
  expect(code).toBe(0);

  const lines = output.trim().split('\n');
  expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(/^published com\.example\.measured\d+ 1\.0\.0 \(PUBLISHED\)$/)]));
  expect(JSON.parse(lines.at(-1)!)).toMatchObject({
    status: 'PUBLISHED',
    telemetryDaily: [{ date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), eventType: 'app_open', count: 3, uniqueDevices: 2 }],
  });
}, 120_000);
