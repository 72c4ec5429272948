import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's package (`apt-get install chromium`; .ci/run installs it). playwright-core brings no browser of its own. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * `describe` for browser tests. Without Chromium they are skipped, loudly, on a developer machine
 * only: under CI they run, and fail if the browser is missing.
 */
export function describeWithChromium(name: string, body: () => void): void {
  if (fs.existsSync(CHROMIUM_PATH) || process.env.CI) {
    describe(name, body);
    return;
  }
  console.warn(
    `\n!!! SKIPPING BROWSER TESTS "${name}": ${CHROMIUM_PATH} not found.\n` +
      '!!! Install it (apt-get install --no-install-recommends chromium) to run them; under CI=true they never skip.\n',
  );
  describe.skip(name, body);
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Headless Chromium with a fresh profile that touches no network of its own (the machine may be offline). */
export async function launchChromium(): Promise<Browser> {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mosis-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox', // Chromium's sandbox refuses to run as root, as CI does
      '--disable-gpu',
      '--disable-dev-shm-usage', // containers often have a tiny /dev/shm
      // No update checks, sync, field trials or QUIC probes: they would only meet refused connections.
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Records every request the browser makes and blocks anything not on `serverUrl`, so a stray CDN
 * reference fails a test's assertion on the returned list rather than hanging on the network.
 */
export async function recordRequests(context: BrowserContext, serverUrl: string): Promise<string[]> {
  const requested: string[] = [];
  await context.route('**/*', (route) => {
    requested.push(route.request().url());
    return route.request().url().startsWith(`${serverUrl}/`) ? route.continue() : route.abort('blockedbyclient');
  });
  return requested;
}

/** Where browser tests leave what they saw (git-ignored). */
export const ARTIFACTS_DIR = path.join(__dirname, '..', 'artifacts');

/** The two widths every console page must work at: a laptop and a phone. */
export const VIEWPORT_WIDTHS = [1280, 390] as const;

/**
 * Saves a full-page screenshot of the page at each width as `<name>-<width>.png`, then restores the
 * first width. Charts resize on a ResizeObserver, so each width gets a moment to lay out.
 */
export async function screenshotAtWidths(page: Page, name: string): Promise<void> {
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  for (const width of [...VIEWPORT_WIDTHS].reverse()) {
    await page.setViewportSize({ width, height: 900 });
    await page.waitForTimeout(150);
    await page.screenshot({ path: path.join(ARTIFACTS_DIR, `${name}-${width}.png`), fullPage: true });
  }
}

/**
 * What a screen-reader user would trip over: form controls without a label and buttons or links
 * without a name. Returns a description of each, so a failing assertion says which.
 */
export async function unnamedControls(page: Page): Promise<string[]> {
  // Typed loosely: these callbacks run in the page, and this project compiles without the DOM library.
  const unlabelled = await page.locator('input, textarea, select').evaluateAll((controls) =>
    controls
      .filter((control: any) => !(control.labels?.length > 0 || control.hasAttribute('aria-labelledby')))
      .map((control: any) => `${control.tagName.toLowerCase()}[name=${control.name}] has no visible label`));
  const unnamed = await page.locator('button, a[href]').evaluateAll((elements) =>
    elements
      .filter((element: any) => !(element.getAttribute('aria-label') ?? element.textContent ?? '').trim())
      .map((element: any) => `${element.outerHTML.slice(0, 80)} has no name`));
  return [...unlabelled, ...unnamed];
}
