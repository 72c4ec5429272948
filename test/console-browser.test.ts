import { createHash, createPublicKey } from 'node:crypto';
import type { Page } from 'playwright-core';
import path from 'node:path';
import { ARTIFACTS_DIR, type Browser, describeWithChromium, launchChromium, recordRequests, screenshotAtWidths, unnamedControls } from './helpers/browser';
import { createVersion, generateSigningKey, signPackage, signUpWithRole, type SignedUpDeveloper, versionInput } from './helpers/factories';
import { mutate } from './helpers/releases';
import { post } from './helpers/telemetry';
import { startTestServer, type TestServer } from './helpers/test-server';

// The console as a developer and a reviewer use it: a real browser, driven by role and label (the
// contract's "Web console" names), from sign-up to the telemetry chart of a published app.

const BROWSER_TIMEOUT_MS = 180_000;
const STEP_TIMEOUT_MS = 60_000;

describeWithChromium('the web console in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let requested: string[] = [];
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchChromium();
    browser.context.setDefaultTimeout(STEP_TIMEOUT_MS);
    requested = await recordRequests(browser.context, server.url);
    page = await browser.context.newPage();
    await page.setViewportSize({ width: 1280, height: 900 });
    // CSP violations and uncaught errors land here.
    page.on('console', (message) => message.type() === 'error' && consoleErrors.push(message.text()));
    page.on('pageerror', (error) => consoleErrors.push(error.message));
  }, BROWSER_TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const field = (label: string) => page.getByLabel(label, { exact: true });
  const button = (name: string | RegExp) => page.getByRole('button', { name });
  const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

  /** Screenshots at both widths, after checking every control on the page has a label or name. */
  async function snap(name: string) {
    expect(await unnamedControls(page)).toEqual([]);
    await screenshotAtWidths(page, `console-${name}`);
  }

  async function signIn(email: string, password: string) {
    await field('Email').fill(email);
    await field('Password').fill(password);
    await button('Sign in').click();
    await page.getByRole('heading', { name: 'Apps', exact: true }).waitFor();
  }

  async function signOut() {
    await button('Sign out').click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  }

  /** The rows of a table as arrays of cell texts. */
  function tableRows(table: ReturnType<Page['getByRole']>) {
    return table.locator('tbody tr').evaluateAll((rows) =>
      rows.map((row) => [...row.querySelectorAll('th, td')].map((cell) => (cell.textContent ?? '').trim())));
  }

  const developer = { email: `console-${Date.now()}@example.com`, password: 'a long enough password' };
  const packageId = `com.console.notes${Date.now()}`;
  const key = generateSigningKey();
  let apiKeySecret = '';
  let appId = '';
  let reviewer: SignedUpDeveloper;
  const today = new Date().toISOString().slice(0, 10);
  /** A moment of a UTC day, ten minutes in, plus `second` seconds: far from either end of the day. */
  const at = (day: string, second: number) => new Date(Date.parse(`${day}T00:10:00Z`) + second * 1000).toISOString();

  it('signs a new developer up', async () => {
    await page.goto(`${server.url}/console`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await snap('sign-in');
    await page.getByRole('link', { name: 'Create an account' }).click();
    await field('Email').fill(developer.email);
    await field('Name').fill('Console Dev');
    await field('Password').fill(developer.password);
    await snap('sign-up');
    await button('Sign up').click();
    await page.getByRole('heading', { name: 'Apps', exact: true }).waitFor();
    await page.getByText('No apps yet').waitFor();
    await expect(nav('API keys').isVisible()).resolves.toBe(true);
  }, BROWSER_TIMEOUT_MS);

  it('creates an API key with chosen scopes and shows its secret once with a copy button; revokes a key with an expiry', async () => {
    await nav('API keys').click();
    await field('Name').fill('devices');
    await page.getByRole('checkbox', { name: 'telemetry:write', exact: true }).check();
    await page.getByRole('checkbox', { name: 'telemetry:read', exact: true }).check();
    await button(/Create/).click();
    const secret = page.getByTestId('api-key-secret');
    apiKeySecret = (await secret.textContent()) ?? '';
    expect(apiKeySecret).toMatch(/^mk_/);
    await expect(button('Copy the API key secret').isVisible()).resolves.toBe(true);
    const keys = await tableRows(page.getByRole('table'));
    expect(keys).toEqual([[ 'devices', expect.stringMatching(/^mk_/), 'telemetry:write, telemetry:read', expect.any(String), '—', 'never', 'Revoke']]);
    // The copy button puts exactly the secret on the clipboard.
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    await button('Copy the API key secret').click();
    await page.getByText('Copied.').waitFor();
    await expect(page.evaluate(() => (globalThis as any).navigator.clipboard.readText())).resolves.toBe(apiKeySecret);
    await snap('api-keys');

    // A second key that expires, then revoked: two presses, so one slip cannot revoke a key.
    await field('Name').fill('old CI');
    await page.getByRole('checkbox', { name: 'apps:read', exact: true }).check();
    await field('Expires on').fill('2099-01-31');
    await button(/Create/).click();
    const oldKey = page.getByRole('row', { name: /old CI/ });
    await oldKey.waitFor();
    await expect(oldKey.textContent()).resolves.toContain('2099-01-31 23:59 UTC');
    await button('Revoke old CI').click();
    await button('Revoke “old CI” now').click();
    await oldKey.getByText(/^Revoked \d{4}-/).waitFor();
    const [{ revoked_at: revokedAt }] = await server.db.query(`SELECT revoked_at FROM api_keys WHERE name = 'old CI'`);
    expect(revokedAt).not.toBeNull();

    // Leaving the page and coming back shows the key but never its secret again.
    await nav('Apps').click();
    await nav('API keys').click();
    await page.getByRole('table').waitFor();
    await expect(page.getByText(apiKeySecret).count()).resolves.toBe(0);
  }, BROWSER_TIMEOUT_MS);

  it('registers a signing key and shows its fingerprint', async () => {
    await nav('Signing keys').click();
    await field('Key name').fill('release');
    await field('Public key (PEM)').fill(key.publicKeyPem);
    await button('Register signing key').click();
    const der = createPublicKey(key.publicKeyPem).export({ type: 'spki', format: 'der' });
    const fingerprint = createHash('sha256').update(der).digest('hex');
    await page.getByRole('status').filter({ hasText: fingerprint }).waitFor();
    expect(await tableRows(page.getByRole('table'))).toEqual([['release', fingerprint, expect.any(String), 'Deactivate']]);
    await snap('signing-keys');
  }, BROWSER_TIMEOUT_MS);

  it('names the field when an app is refused, and creates it once the package ID is fixed', async () => {
    await nav('Apps').click();
    await field('Package ID').fill('Not A Package');
    await field('Name').fill('Notes');
    await button(/Create/).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/^Package ID: .*reverse-DNS/i);
    await expect(field('Package ID').getAttribute('aria-invalid')).resolves.toBe('true');
    // The same message sits under the field, tied to it for screen readers.
    const describedBy = (await field('Package ID').getAttribute('aria-describedby'))!.split(' ');
    await expect(page.locator(`[id="${describedBy.at(-1)}"]`).textContent()).resolves.toMatch(/^must be reverse-DNS/);
    await snap('apps-error');
    // Nothing was created.
    await expect(page.getByText('No apps yet').isVisible()).resolves.toBe(true);

    await field('Package ID').fill(packageId);
    await button(/Create/).click();
    await page.getByRole('link', { name: packageId }).waitFor();
    expect(await tableRows(page.getByRole('table'))).toEqual([['Notes', packageId, 'Draft', '—', expect.any(String)]]);
    await snap('apps');
  }, BROWSER_TIMEOUT_MS);

  it('edits the app, uploads a version signed with node:crypto and submits it for review', async () => {
    await page.getByRole('link', { name: packageId }).click();
    await page.getByRole('heading', { name: /Notes/ }).waitFor();
    appId = (await page.locator('.app-id code').textContent())!;
    expect(page.url()).toBe(`${server.url}/console/apps/${appId}`);
    // Editing the details first: the page shows the saved description.
    await field('Description').fill('Takes notes offline');
    await button('Save changes').click();
    await page.getByText('Saved.').waitFor();
    await page.locator('.lede', { hasText: 'Takes notes offline' }).waitFor();

    const packageSha256 = createHash('sha256').update('the notes app build').digest('hex');
    await expect(field('Version code').inputValue()).resolves.toBe('1');
    await field('Version name').fill('1.0.0');
    await field('Package URL').fill(`https://cdn.example.com/${packageId}-1.mpk`);
    await field('Package size (bytes)').fill('2048');
    await field('Package SHA-256').fill(packageSha256);
    await field('Signature (base64)').fill(signPackage(key.privateKey, packageId, 1, packageSha256));
    await button('Upload version').click();
    await button('Submit 1.0.0 for review').click();
    await page.getByText('Waiting for a reviewer').waitFor();
    expect(await tableRows(page.getByRole('table'))).toEqual([['1.0.0', '1', 'Review', '—', '—', '—', 'Waiting for a reviewer']]);
    await snap('app');
  }, BROWSER_TIMEOUT_MS);

  it('lets a reviewer, signed in with the keyboard alone, approve it from the review queue (rejecting needs notes)', async () => {
    reviewer = await signUpWithRole(server, 'reviewer');
    await signOut();
    // Tab order on the sign-in page: Email, Password, then Enter submits.
    await page.keyboard.press('Tab');
    await page.keyboard.type(reviewer.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(reviewer.password);
    await page.keyboard.press('Enter');
    await nav('Review queue').click();
    const item = page.getByRole('listitem', { name: 'Notes 1.0.0' });
    await item.waitFor();
    await snap('review-queue');
    // Rejecting needs notes: the refusal is shown on the notes field and the version stays queued.
    await item.getByRole('button', { name: 'Reject' }).click();
    await expect(item.getByRole('alert').textContent()).resolves.toMatch(/^Notes: say what must change/);
    await expect(item.getByLabel('Notes for Notes 1.0.0').getAttribute('aria-invalid')).resolves.toBe('true');
    await item.getByLabel('Notes for Notes 1.0.0').fill('Looks good');
    await item.getByRole('button', { name: 'Approve' }).click();
    await page.getByText('Nothing is waiting for review.').waitFor();
    await signOut();
  }, BROWSER_TIMEOUT_MS);

  it('publishes the approved version as its developer', async () => {
    await signIn(developer.email, developer.password);
    await page.getByRole('link', { name: 'Notes', exact: true }).click();
    await button('Publish 1.0.0').click();
    await page.getByText('Live', { exact: true }).waitFor();
    // Without a staged percentage it is a full release: complete at once, and nothing left to steer.
    expect(await tableRows(page.getByRole('table'))).toEqual([['1.0.0', '1', 'Published', 'Looks good', expect.stringMatching(/UTC$/), '100% Complete', 'Live']]);
    await expect(page.getByRole('heading', { name: 'Releases' }).count()).resolves.toBe(0);
    await expect(page.getByRole('heading', { name: /Notes/ }).textContent()).resolves.toContain('Published');
  }, BROWSER_TIMEOUT_MS);

  it('charts the telemetry the devices sent, with the exact numbers beside the charts, and pages the events', async () => {
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const event = (deviceId: string, eventType: string, timestamp: string) => ({ appId, deviceId, eventType, timestamp, eventData: { screen: 'home' } });
    const events = [
      // Today: 23 app_open from two devices and one screen_view; yesterday: one app_open.
      ...Array.from({ length: 23 }, (_, i) => event(i % 2 ? 'phone-1' : 'phone-2', 'app_open', at(today, i))),
      event('phone-1', 'screen_view', at(today, 30)),
      event('tablet-9', 'app_open', at(yesterday, 0)),
    ];
    expect((await post(server, '/v1/telemetry', apiKeySecret, events)).status).toBe(202);
    const crash = (deviceId: string, second: number) => ({
      appId, appVersion: '1.0.0', deviceId, crashType: 'java.lang.NullPointerException', timestamp: at(today, second),
      stackTrace: 'java.lang.NullPointerException\n  at com.console.notes.Editor.save(Editor.java:42)',
    });
    expect((await post(server, '/v1/crashes', apiKeySecret, [crash('phone-1', 1), crash('phone-2', 2)])).status).toBe(202);

    await page.getByRole('link', { name: 'Telemetry' }).click();
    const daily = page.getByRole('table', { name: 'Telemetry by day and event type' });
    await daily.waitFor();
    expect(await tableRows(daily)).toEqual([
      [yesterday, 'app_open', '1', '1'],
      [today, 'app_open', '23', '2'],
      [today, 'screen_view', '1', '1'],
    ]);
    // Two uPlot canvases, whose accessible summaries carry the same totals.
    await expect(page.getByRole('img', { name: 'Events per day: app_open 24 in total, screen_view 1 in total' }).count()).resolves.toBe(1);
    await expect(page.getByRole('img', { name: 'Unique devices per day: app_open 3 in total, screen_view 1 in total' }).count()).resolves.toBe(1);
    const dailySection = page.locator('section', { has: page.getByRole('heading', { name: 'Daily events and unique devices' }) });
    await expect(dailySection.locator('figure.chart canvas').count()).resolves.toBe(2);

    const crashes = await tableRows(page.locator('section', { has: page.getByRole('heading', { name: 'Crash groups' }) }).getByRole('table'));
    expect(crashes).toEqual([[expect.stringContaining('java.lang.NullPointerException'), '2', '2', '1.0.0', expect.any(String), expect.any(String)]]);

    const eventsTable = page.getByRole('table', { name: 'Events, newest first' });
    await expect(page.getByRole('heading', { name: 'Events (25)' }).isVisible()).resolves.toBe(true);
    expect(await tableRows(eventsTable)).toHaveLength(20);
    await button('Load more events').click();
    await eventsTable.locator('tbody tr').nth(24).waitFor();
    expect(await tableRows(eventsTable)).toHaveLength(25);
    expect((await tableRows(eventsTable)).at(-1)).toEqual([at(yesterday, 0).replace('T', ' ').replace('Z', ' UTC'), 'app_open', '—', '{"screen":"home"}']);
    await expect(button('Load more events').count()).resolves.toBe(0);
    await snap('telemetry');
    // The README's picture (docs/console.png is a copy): the charts as a laptop screen shows them.
    await page.setViewportSize({ width: 1280, height: 760 });
    await page.mouse.wheel(0, -10_000);
    await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'console-readme.png') });
  }, BROWSER_TIMEOUT_MS);

  it('publishes an approved version to 10% of devices, raises, pauses, resumes and halts its rollout, naming the field of each refusal', async () => {
    // Version 1.2 reaches APPROVED through the API (the review queue's page is tested above).
    const token = await page.evaluate(() => (globalThis as any).sessionStorage.getItem('mosis.console.session'));
    const { id: versionId } = await createVersion(server, token, versionInput({ id: appId, packageId }, key, 2));
    expect((await mutate(server, token, 'submitVersionForReview(id: $id) { id }', { id: versionId })).errors).toBeUndefined();
    expect((await mutate(server, reviewer.token, 'approveVersion(id: $id) { id }', { id: versionId })).errors).toBeUndefined();
    // The developer opens the app's page after the review (a fresh load, as the console caches what it saw).
    await page.goto(`${server.url}/console/apps/${appId}`);
    const versions = page.getByRole('table');
    const publishing = page.getByRole('region', { name: 'Publish 1.2' });
    const rollout = page.getByRole('region', { name: 'Rollout of 1.2' });

    // A percentage outside (0, 100] is refused at its field, and the version stays approved.
    await publishing.getByLabel('Rollout percentage').fill('150');
    await publishing.getByRole('button', { name: 'Publish 1.2' }).click();
    await expect(publishing.getByRole('alert').textContent()).resolves.toBe('Rollout percentage: must be above 0 and at most 100, got 150');
    await expect(publishing.getByLabel('Rollout percentage').getAttribute('aria-invalid')).resolves.toBe('true');
    expect((await tableRows(versions))[0]).toEqual(['1.2', '2', 'Approved', '—', '—', '—', 'Ready: publish it under Releases']);
    await snap('publish-error');

    await publishing.getByLabel('Rollout percentage').fill('10');
    await publishing.getByLabel('Halt below crash-free rate').fill('0.5');
    await publishing.getByRole('button', { name: 'Publish 1.2' }).click();
    await rollout.getByRole('status').filter({ hasText: '10% Active' }).waitFor();
    expect(await tableRows(versions)).toEqual([
      ['1.2', '2', 'Published', '—', expect.stringMatching(/UTC$/), '10% Active · halts below 50% crash-free', 'Rolling out: see Releases'],
      ['1.0.0', '1', 'Published', 'Looks good', expect.stringMatching(/UTC$/), '100% Complete', 'Live'],
    ]);

    // Only upward: 5% is refused at the field; 20% is taken.
    await rollout.getByLabel('New percentage').fill('5');
    await rollout.getByRole('button', { name: 'Raise percentage' }).click();
    await expect(rollout.getByRole('alert').textContent()).resolves.toBe('New percentage: must be above the current 10% and at most 100, got 5');
    await expect(rollout.getByLabel('New percentage').getAttribute('aria-invalid')).resolves.toBe('true');
    await rollout.getByLabel('New percentage').fill('20');
    await rollout.getByRole('button', { name: 'Raise percentage' }).click();
    await rollout.getByRole('status').filter({ hasText: '20% Active' }).waitFor();

    await rollout.getByRole('button', { name: 'Pause rollout' }).click();
    await rollout.getByRole('status').filter({ hasText: '20% Paused' }).waitFor();
    await snap('rollout-paused');
    await rollout.getByRole('button', { name: 'Resume rollout' }).click();
    await rollout.getByRole('status').filter({ hasText: '20% Active' }).waitFor();

    // Halting needs a reason; with one (typed, then Enter) the version is offered to nobody and its card goes.
    await rollout.getByRole('button', { name: 'Halt rollout' }).click();
    await expect(rollout.getByRole('alert').textContent()).resolves.toBe('Reason for halting: say why the rollout is halted');
    await rollout.getByLabel('Reason for halting').fill('Crashes on start');
    await rollout.getByLabel('Reason for halting').press('Enter');
    await rollout.waitFor({ state: 'detached' });
    expect((await tableRows(versions))[0]).toEqual([
      '1.2', '2', 'Published', '—', expect.stringMatching(/UTC$/), '20% Halted · halts below 50% crash-free · halted: Crashes on start', 'Offered to no device',
    ]);
    const [stored] = await server.db.query('SELECT rollout_state, rollout_percentage, rollout_halted_reason FROM app_versions WHERE id = $1', [versionId]);
    expect(stored).toEqual({ rollout_state: 'halted', rollout_percentage: 20, rollout_halted_reason: 'Crashes on start' });
    await snap('rollout-halted');
  }, BROWSER_TIMEOUT_MS);

  it('charts each version\'s crash-free rate per day, with the exact numbers in a table beside the chart', async () => {
    // Four devices run 1.2 today and one of them crashes: 75% crash-free. 1.0.0's two devices both crashed (the test above).
    const devices = ['v12-a', 'v12-b', 'v12-c', 'v12-d'];
    const events = devices.map((deviceId, i) => ({ appId, appVersion: '1.2', deviceId, eventType: 'app_open', timestamp: at(today, 100 + i) }));
    expect((await post(server, '/v1/telemetry', apiKeySecret, events)).status).toBe(202);
    const crash = { appId, appVersion: '1.2', deviceId: 'v12-a', crashType: 'java.lang.IllegalStateException', timestamp: at(today, 110) };
    expect((await post(server, '/v1/crashes', apiKeySecret, [crash])).status).toBe(202);

    await page.getByRole('link', { name: 'Telemetry' }).click();
    const health = page.getByRole('table', { name: 'Version health by day and version' });
    await health.waitFor();
    expect(await tableRows(health)).toEqual([
      [today, '1.0.0', '2', '2', '0%'],
      [today, '1.2', '4', '1', '75%'],
    ]);
    await expect(page.getByRole('img', { name: `Crash-free devices per version and day: 2 versions; lowest 0% (1.0.0 on ${today})` }).count()).resolves.toBe(1);
    await expect(page.locator('section', { has: page.getByRole('heading', { name: 'Version health' }) }).locator('figure.chart canvas').count()).resolves.toBe(1);
    await snap('version-health');
  }, BROWSER_TIMEOUT_MS);

  it('loaded nothing from outside the server and met no script error or policy violation', () => {
    expect(requested.length).toBeGreaterThan(20);
    expect(requested.filter((url) => !url.startsWith(`${server.url}/`))).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });

  // Last: Chromium logs the refused request (HTTP 401) as a console error, which the test above would count.
  it('keeps the session in this tab only, and returns to sign-in once the server no longer accepts it', async () => {
    const storage = await page.evaluate(() => {
      const { sessionStorage, localStorage } = globalThis as any;
      return { session: Object.keys(sessionStorage), local: Object.keys(localStorage) };
    });
    expect(storage).toEqual({ session: ['mosis.console.session'], local: [] });
    const token = await page.evaluate(() => (globalThis as any).sessionStorage.getItem('mosis.console.session'));
    // Signed out elsewhere (another device, an admin): the next request is refused.
    expect((await server.graphql('mutation { signOut }', {}, token)).data).toEqual({ signOut: true });
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await expect(page.evaluate(() => (globalThis as any).sessionStorage.length)).resolves.toBe(0);
  }, BROWSER_TIMEOUT_MS);
});
