import net from 'node:net';
import { createApiKey, signUp } from './helpers/factories';
import { startTestServer, type TestServer } from './helpers/test-server';

const CONSOLE_ORIGIN = 'https://console.example.com';

describe('headers on every response (finding 9)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ CORS_ORIGINS: `${CONSOLE_ORIGIN},http://localhost:5173` });
  });
  afterAll(() => server.close());

  const json = (body: unknown, headers: Record<string, string> = {}) => ({
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

  it('X-Content-Type-Options: nosniff, on successes and errors alike', async () => {
    const responses = await Promise.all([
      server.fetch('/healthz'),
      server.fetch('/graphql', json({ query: '{ __typename }' })),
      server.fetch('/graphql', json({ query: '{ nope' })),
      server.fetch('/graphql', json({ query: '{ me { id } }' }, { authorization: 'Bearer mk_forged' })),
      server.fetch('/v1/telemetry', json([], { authorization: 'Bearer mk_forged' })),
      server.fetch('/no-such-page'),
      server.fetch('/graphql', { headers: { accept: 'text/html' } }),
    ]);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 400, 401, 401, 404, 200]);
    for (const response of responses) expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('Cache-Control: no-store on every answer to a credential, errors and the createApiKey secret included', async () => {
    const dev = await signUp(server);
    const device = await createApiKey(server, dev.token, ['telemetry:write']);
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
    const responses = await Promise.all([
      server.fetch('/graphql', json({ query: '{ me { id } }' }, bearer(dev.token))),
      server.fetch('/graphql', json({ query: 'mutation { createApiKey(input: {name: "k", permissions: []}) { secret } }' }, bearer(dev.token))),
      server.fetch('/graphql', json({ query: '{ auditLogs { totalCount } }' }, bearer(device.secret))),
      server.fetch('/graphql', json({ query: '{ me { id } }' }, bearer('mss_expired'))),
      server.fetch('/v1/telemetry', json([{}], bearer(device.secret))),
      server.fetch('/v1/crashes', json([], bearer('mk_forged'))),
      server.fetch('/healthz', { headers: bearer(dev.token) }),
    ]);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 401, 400, 401, 200]);
    expect(((await responses[1].json()) as any).data.createApiKey.secret).toMatch(/^mk_/);
    for (const response of responses) expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('also on signUp and signIn, whose answers carry a session token', async () => {
    const response = await server.fetch('/graphql', json({
      query: 'mutation { signUp(input: {email: "cache@example.com", name: "C", password: "long enough password"}) { token } }',
    }));
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('a CORS preflight from a listed origin gets 2xx and the allow headers; its requests get Allow-Origin', async () => {
    const preflight = await server.fetch('/graphql', {
      method: 'OPTIONS',
      headers: { origin: CONSOLE_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(preflight.status).toBeGreaterThanOrEqual(200);
    expect(preflight.status).toBeLessThan(300);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(CONSOLE_ORIGIN);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toEqual(expect.stringContaining('authorization'));
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toEqual(expect.stringContaining('content-type'));

    const request = await server.fetch('/graphql', json({ query: '{ __typename }' }, { origin: CONSOLE_ORIGIN }));
    expect(request.headers.get('access-control-allow-origin')).toBe(CONSOLE_ORIGIN);
  });

  it('any other origin gets no CORS headers at all', async () => {
    for (const origin of ['https://evil.example.com', 'https://console.example.com.evil.net', 'null']) {
      const preflight = await server.fetch('/graphql', {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
      });
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
      expect(preflight.headers.get('access-control-allow-headers')).toBeNull();
      const request = await server.fetch('/graphql', json({ query: '{ __typename }' }, { origin }));
      expect(request.headers.get('access-control-allow-origin')).toBeNull();
    }
  });
});

describe('CORS_ORIGINS unset', () => {
  it('allows no origin', async () => {
    const server = await startTestServer({ CORS_ORIGINS: '' });
    try {
      const preflight = await server.fetch('/graphql', {
        method: 'OPTIONS',
        headers: { origin: CONSOLE_ORIGIN, 'access-control-request-method': 'POST' },
      });
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await server.close();
    }
  });
});

describe('introspection and suggestions in production (finding 9)', () => {
  const INTROSPECT = '{ __schema { queryType { name } } }';
  const TYPO = '{ mee { id } }';

  it('are off with NODE_ENV=production', async () => {
    const server = await startTestServer({ NODE_ENV: 'production' });
    try {
      const introspection = await server.graphql(INTROSPECT);
      expect(introspection.errors?.[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(introspection.errors?.[0].message).toMatch(/introspection/i);
      const typo = await server.graphql(TYPO);
      expect(typo.errors?.[0].message).not.toMatch(/did you mean/i);
      expect(typo.errors?.[0].message).not.toContain('"me"');
    } finally {
      await server.close();
    }
  });

  it('are on again with GRAPHQL_INTROSPECTION=true, and outside production', async () => {
    for (const env of [{ NODE_ENV: 'production', GRAPHQL_INTROSPECTION: 'true' }, { NODE_ENV: 'development' }] as Record<string, string>[]) {
      const server = await startTestServer(env);
      try {
        expect((await server.graphql(INTROSPECT)).data.__schema.queryType.name).toBe('Query');
        expect((await server.graphql(TYPO)).errors?.[0].message).toMatch(/did you mean "me"/i);
      } finally {
        await server.close();
      }
    }
  });
});

describe('slow request bodies (finding 6)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ REQUEST_BODY_TIMEOUT_MS: '1500' });
  });
  afterAll(() => server.close());

  /** Sends the headers, then one byte of the body every `intervalMs`; resolves with the raw answer and when it came. */
  function dribble(path: string, intervalMs: number, headers: Record<string, string> = {}): Promise<{ answer: string; afterMs: number }> {
    const { port } = new URL(server.url);
    const body = '{"query": "{ __typename }"}'.padEnd(200, ' ');
    return new Promise((resolve, reject) => {
      const started = Date.now();
      const socket = net.connect(Number(port), '127.0.0.1');
      let answer = '';
      let sent = 0;
      let timer: NodeJS.Timeout | undefined;
      const giveUp = setTimeout(() => {
        socket.destroy();
        reject(new Error(`no answer after 20 s; got ${JSON.stringify(answer)}`));
      }, 20_000);
      socket.on('connect', () => {
        const extra = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
        socket.write(`POST ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n${extra}Content-Length: ${body.length}\r\n\r\n`);
        timer = setInterval(() => {
          if (sent < body.length && !socket.destroyed) socket.write(body[sent++]);
        }, intervalMs);
      });
      socket.on('data', (chunk) => (answer += chunk));
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearInterval(timer);
        clearTimeout(giveUp);
        resolve({ answer, afterMs: Date.now() - started });
      });
    });
  }

  it('a body dribbling in a byte at a time is cut off with 408 and the connection closed', async () => {
    const { answer, afterMs } = await dribble('/graphql', 500);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer.toLowerCase()).toContain('x-content-type-options: nosniff');
    expect(afterMs).toBeLessThan(15_000);
  });

  it('the same on the ingestion endpoints, with the {"error"} body they always use', async () => {
    const { answer } = await dribble('/v1/telemetry', 500, { authorization: 'Bearer mk_forged' });
    // The credential is checked before the body is read.
    expect(answer).toMatch(/^HTTP\/1\.1 401 /);
    const dev = await signUp(server);
    const { secret } = await createApiKey(server, dev.token, ['telemetry:write']);
    const slow = await dribble('/v1/telemetry', 500, { authorization: `Bearer ${secret}` });
    expect(slow.answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(slow.answer).toContain('"error":"The request body arrived too slowly');
    expect(slow.answer.toLowerCase()).toContain('cache-control: no-store');
  });

  it('a body arriving steadily is served, and the server keeps serving', async () => {
    const big = await server.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ __typename }${' '.repeat(200_000)}` }),
    });
    expect(big.status).toBe(200);
    expect((await server.fetch('/healthz')).status).toBe(200);
  });
});
