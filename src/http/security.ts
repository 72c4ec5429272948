import { Transform, type Readable } from 'node:stream';
import cors from '@fastify/cors';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../config';

/**
 * What every response gets whatever route answers it: the CORS allow-list, `nosniff`, `no-store`
 * on anything answering a credential (or not meant to be cached at all), and the slow-body cut-off.
 */
export async function registerHttpSecurity(app: FastifyInstance, security: Config['security']): Promise<void> {
  const allowed = new Set(security.corsOrigins ?? []);
  await app.register(cors, {
    // A listed origin gets itself back in Access-Control-Allow-Origin (credentials travel as bearer
    // headers, never cookies); any other origin gets no CORS header at all, preflights included.
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
    methods: ['GET', 'POST'],
    allowedHeaders: ['Authorization', 'Content-Type'],
    maxAge: 600,
  });

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    // Static assets set their own caching; everything else is per caller, and a credential (or
    // the token or secret a response may carry) must never sit in a shared or browser cache.
    if (request.headers.authorization !== undefined || !reply.hasHeader('cache-control')) {
      reply.header('cache-control', 'no-store');
    }
    // An answer sent before the whole body arrived (a 401 before reading, a 408 for a body too slow)
    // closes the connection, or a dribbling client would keep it busy until its last byte.
    if (!request.raw.complete) reply.header('connection', 'close');
  });

  app.addHook('preParsing', async (request, reply, payload) => {
    if (!hasBody(request)) return payload;
    const paced = pacedBody(payload, security);
    reply.raw.once('close', () => paced.destroy());
    return paced;
  });
}

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * Passes the body through, failing it with 408 unless it keeps arriving: it gets `bodyTimeoutMs`,
 * plus one second for every `bodyMinBytesPerSecond` bytes received (the rule of Apache's
 * mod_reqtimeout). A large batch on a slow but honest link keeps extending its deadline; a client
 * dribbling a byte every few seconds is cut off after `bodyTimeoutMs`.
 */
function pacedBody(source: Readable, { bodyTimeoutMs, bodyMinBytesPerSecond }: Config['security']): Transform {
  const started = Date.now();
  let received = 0;
  let timer: NodeJS.Timeout | undefined;
  const paced = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      arm();
      callback(null, chunk);
    },
    flush(callback) {
      clearTimeout(timer);
      callback();
    },
  });
  const arm = () => {
    clearTimeout(timer);
    const deadline = started + bodyTimeoutMs + (received / bodyMinBytesPerSecond) * 1000;
    timer = setTimeout(() => {
      source.unpipe(paced);
      paced.destroy(bodyTooSlow(bodyTimeoutMs, bodyMinBytesPerSecond));
    }, Math.max(0, deadline - Date.now()));
  };
  // When no parser reads the body (an unsupported content type, say), the timeout has nobody to
  // tell; without this listener its error would be unhandled.
  paced.on('error', () => undefined);
  paced.on('close', () => clearTimeout(timer));
  source.on('error', (error) => paced.destroy(error));
  source.pipe(paced);
  arm();
  return paced;
}

function bodyTooSlow(graceMs: number, minBytesPerSecond: number): Error {
  return Object.assign(
    new Error(`The request body arrived too slowly: send it within ${graceMs / 1000} s plus 1 s per ${minBytesPerSecond} bytes.`),
    { statusCode: 408, code: 'MOSIS_BODY_TIMEOUT' },
  );
}
