import { access } from 'node:fs/promises';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { PROJECT_ROOT } from '../paths';

/** Where `npm run build:console` (Vite, console/vite.config.mts) writes the web console. */
export const CONSOLE_BUILD_DIR = path.join(PROJECT_ROOT, 'dist', 'console');

/**
 * The console is one script and one stylesheet from this server, and talks to /graphql only, so the
 * policy allows nothing else: no inline script or style, no eval, no other origin. (uPlot and React
 * set styles through the CSSOM, which style-src does not govern.)
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * GET /console and every path below it: the single-page app's index.html (its router reads the
 * path), except /console/assets/*, the hashed bundles, which never change under one name and so are
 * cached for a year. index.html is revalidated on every load, so a rebuilt console is seen at once.
 */
export async function registerConsole(app: FastifyInstance, buildDir = CONSOLE_BUILD_DIR): Promise<void> {
  await app.register(fastifyStatic, {
    root: path.join(buildDir, 'assets'),
    prefix: '/console/assets/',
    // Vite puts a content hash in every asset name.
    maxAge: '365d',
    immutable: true,
    index: false,
    // Only the built files: no dotfiles, no directory listings.
    dotfiles: 'deny',
  });

  async function sendIndex(_request: unknown, reply: FastifyReply) {
    try {
      await access(path.join(buildDir, 'index.html'));
    } catch {
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The web console is not built. Run `npm run build:console` (npm install does it), then reload.');
    }
    return reply
      .header('content-security-policy', CONSOLE_CSP)
      .header('cache-control', 'no-cache')
      .sendFile('index.html', buildDir, { cacheControl: false });
  }
  app.get('/console', sendIndex);
  app.get('/console/*', sendIndex);
}
