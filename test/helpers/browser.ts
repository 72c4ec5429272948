import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

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
