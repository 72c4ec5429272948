import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startWebhookWorker } from '../src/webhooks/webhook-worker';
import { appWithApprovedVersions, bucketOf } from './helpers/releases';
import { ROOT, spawnNode } from './helpers/processes';
import { startTestServer, type TestServer } from './helpers/test-server';

/** docs/RELEASES.md's example, run verbatim against a live server with its delivery worker. */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ WEBHOOK_ALLOW_PRIVATE: 'true' });
});
afterAll(() => server.close());

it('ships a staged rollout and receives signed webhooks as docs/RELEASES.md shows', async () => {
  const doc = fs.readFileSync(path.join(ROOT, 'docs', 'RELEASES.md'), 'utf8');
  const block = /<!-- releases-example:start -->\n```js\n([\s\S]+?)```\n<!-- releases-example:end -->/.exec(doc);
  expect(block).not.toBeNull();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mosis-releases-doc-'));
  const script = path.join(dir, 'example.js');
  fs.writeFileSync(script, block![1]);
  const { owner, app, approved: [v2] } = await appWithApprovedVersions(server);

  const worker = startWebhookWorker(server.services.webhookDispatcher, () => {}, 50);
  try {
    const run = spawnNode(path.relative(ROOT, script), [], {
      MOSIS_URL: server.url, MOSIS_TOKEN: owner.token, VERSION_ID: v2.id, PACKAGE_ID: app.packageId,
    });
    const { code } = await run.exited;
    expect(run.output()).not.toContain('Error');
    expect(code).toBe(0);
    expect(JSON.parse(run.output().trim())).toEqual({
      rollout: { percentage: 20, state: 'ACTIVE' },
      offeredOf50: Array.from({ length: 50 }, (_, i) => `device-${i}`).filter((d) => bucketOf(app.id, d) < 2000).length,
      events: ['rollout.updated', 'version.published'],
    });
  } finally {
    await worker.stop();
    fs.rmSync(dir, { recursive: true });
  }
});
