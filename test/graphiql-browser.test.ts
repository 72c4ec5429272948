import type { Page } from 'playwright-core';
import { type Browser, describeWithChromium, launchChromium, recordRequests } from './helpers/browser';
import { signUp } from './helpers/factories';
import { startTestServer, type TestServer } from './helpers/test-server';

// GraphiQL as a user meets it: a real browser, real typing, the result read off the page.

// Generous for a busy 2-core CI machine (launching Chromium, parsing 4 MB of bundles). Playwright's own
// limit is the lower one, so a stuck step fails with Playwright's message naming it, not a bare jest timeout.
const BROWSER_TIMEOUT_MS = 90_000;
const STEP_TIMEOUT_MS = 60_000;

const QUERY_EDITOR = '.graphiql-query-editor .CodeMirror';
// The headers and variables editors share the tool pane; the inactive one is hidden.
const HEADERS_EDITOR = '.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror';
const RESPONSE = '.graphiql-response .CodeMirror';

describeWithChromium('GraphiQL in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let requested: string[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchChromium();
    browser.context.setDefaultTimeout(STEP_TIMEOUT_MS);
    requested = await recordRequests(browser.context, server.url);
    page = await browser.context.newPage();
    await page.goto(`${server.url}/graphql`);
    await page.locator(QUERY_EDITOR).waitFor();
  }, BROWSER_TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Replaces an editor's content by typing, as a user would (CodeMirror closes brackets and quotes itself). */
  async function typeInto(editor: string, text: string) {
    await page.locator(editor).click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.type(text);
    expect(await editorText(editor)).toBe(text);
  }

  function editorText(editor: string): Promise<string> {
    return page.locator(editor).evaluate((element) => (element as unknown as { CodeMirror: { getValue(): string } }).CodeMirror.getValue());
  }

  /**
   * Runs a one-operation document with the play button and returns the response pane once it shows
   * `expected`. GraphiQL re-reads a typed document after a pause; until then the button may still be
   * the operation menu of the welcome document it replaced, which a click would only open.
   */
  async function runAndRead(expected: string): Promise<unknown> {
    await page.locator('.graphiql-execute-button:not([aria-haspopup])').waitFor();
    await page.locator('.graphiql-execute-button').click();
    await page.locator(RESPONSE, { hasText: expected }).waitFor();
    return JSON.parse(await editorText(RESPONSE));
  }

  it("opens with a runnable welcome: SignUp answers a token, and Me answers as that developer once it is in the Headers pane", async () => {
    expect(await editorText(QUERY_EDITOR)).toMatch(/mutation SignUp[\s\S]*mutation SignIn[\s\S]*query Me/);
    expect(JSON.parse(await editorText(HEADERS_EDITOR))).toEqual({ 'X-Mosis-Hint': expect.stringContaining('"Authorization": "Bearer <token>"') });
    await page.getByRole('button', { name: 'Explorer' }).first().waitFor(); // the Explorer plugin is installed
    await page.locator('.graphiql-explorer-root, .docExplorerWrap').first().waitFor(); // ... and open

    // Several operations: the play button asks which one to run.
    await page.locator('.graphiql-execute-button').click();
    await page.getByRole('menuitem', { name: 'SignUp' }).click();
    await page.locator(RESPONSE, { hasText: 'token' }).waitFor();
    const signedUp = JSON.parse(await editorText(RESPONSE)) as { data: { signUp: { token: string; developer: { email: string } } } };
    expect(signedUp.data.signUp.token).toMatch(/\S{20,}/);

    // The hint, followed: the hint line replaced by the token.
    await typeInto(HEADERS_EDITOR, `{"Authorization": "Bearer ${signedUp.data.signUp.token}"}`);
    await page.locator('.graphiql-execute-button').click();
    await page.getByRole('menuitem', { name: 'Me' }).click();
    await page.locator(RESPONSE, { hasText: '"role"' }).waitFor();
    expect(JSON.parse(await editorText(RESPONSE))).toMatchObject({ data: { me: { email: signedUp.data.signUp.developer.email, role: 'DEVELOPER' } } });
    await typeInto(HEADERS_EDITOR, '{}'); // the next test starts anonymous
  }, BROWSER_TIMEOUT_MS);

  it('runs a typed query anonymously, then as the developer whose token is typed into the Headers pane', async () => {
    const developer = await signUp(server);

    await typeInto(QUERY_EDITOR, '{ me { email } }');
    const anonymous = await runAndRead('UNAUTHENTICATED');
    expect(anonymous).toMatchObject({ data: { me: null }, errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] });

    // The page opens with the Headers tab active (src/http/graphiql.ts).
    await typeInto(HEADERS_EDITOR, `{"Authorization": "Bearer ${developer.token}"}`);
    const signedIn = await runAndRead(developer.email);
    expect(signedIn).toEqual({ data: { me: { email: developer.email } } });
  }, BROWSER_TIMEOUT_MS);

  it('loads nothing from outside the server', () => {
    // The page, its six assets, the introspection and the queries. (The fonts and images embedded
    // in GraphiQL's CSS as data: URIs are no network requests, so they never reach the route.)
    expect(requested.length).toBeGreaterThanOrEqual(10);
    expect(requested.filter((url) => !url.startsWith(`${server.url}/`))).toEqual([]);
  });
});
