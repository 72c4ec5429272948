import Fastify, { FastifyInstance } from 'fastify';
import { GRAPHIQL_CSP, graphiqlPage, registerGraphiqlAssets, wantsGraphiql } from '../src/http/graphiql';

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

describe('GraphiQL page and assets', () => {
  let app: FastifyInstance;

  beforeAll(async () => {
    app = Fastify();
    app.get('/graphql', async (request, reply) => {
      if (!wantsGraphiql(request)) return { api: true };
      return reply
        .type('text/html; charset=utf-8')
        .header('content-security-policy', GRAPHIQL_CSP)
        .send(graphiqlPage({ endpoint: '/graphql' }));
    });
    registerGraphiqlAssets(app);
    await app.ready();
  });

  afterAll(() => app.close());

  function getPage() {
    return app.inject({ method: 'GET', url: '/graphql', headers: { accept: BROWSER_ACCEPT } });
  }

  it('serves the HTML page to a browser navigation', async () => {
    const res = await getPage();
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['content-security-policy']).toBe(GRAPHIQL_CSP);
    expect(res.body).toContain('<title>Mosis GraphiQL</title>');
    expect(res.body).toContain('isHeadersEditorEnabled: true');
  });

  it('references only local assets, never an external URL', async () => {
    const { body } = await getPage();
    expect(body).not.toMatch(/https?:\/\//);
    const refs = [...body.matchAll(/\b(?:src|href)=["']([^"']*)["']/g)].map((m) => m[1]);
    expect(refs).toHaveLength(6);
    for (const ref of refs) expect(ref.startsWith('/graphiql/assets/')).toBe(true);
  });

  it('serves every referenced asset with the right content type', async () => {
    const { body } = await getPage();
    const refs = [...body.matchAll(/\b(?:src|href)=["']([^"']*)["']/g)].map((m) => m[1]);
    for (const ref of refs) {
      const res = await app.inject({ method: 'GET', url: ref });
      expect(res.statusCode).toBe(200);
      expect(res.rawPayload.length).toBeGreaterThan(1_000);
      expect(res.headers['content-type']).toBe(
        ref.endsWith('.css') ? 'text/css; charset=utf-8' : 'application/javascript; charset=utf-8',
      );
      expect(res.headers['cache-control']).toBe('public, max-age=86400');
    }
  });

  it.each(['nope.js', '..%2Fpackage.json', '__proto__', 'graphiql.min.js.map'])(
    'returns 404 for %s',
    async (name) => {
      const res = await app.inject({ method: 'GET', url: `/graphiql/assets/${name}` });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ error: 'not found' });
    },
  );

  it('leaves API calls to the GraphQL handler', async () => {
    const json = await app.inject({ method: 'GET', url: '/graphql', headers: { accept: 'application/json' } });
    expect(json.json()).toEqual({ api: true });

    const withQuery = await app.inject({
      method: 'GET',
      url: '/graphql?query=' + encodeURIComponent('{__typename}'),
      headers: { accept: BROWSER_ACCEPT },
    });
    expect(withQuery.json()).toEqual({ api: true });
  });

  it('keeps a hostile endpoint from closing the inline script', () => {
    const html = graphiqlPage({ endpoint: '</script><script>alert(1)</script>' });
    expect(html).not.toContain('</script><script>alert(1)');
    expect(html.match(/<\/script>/g)).toHaveLength(5);
  });
});
