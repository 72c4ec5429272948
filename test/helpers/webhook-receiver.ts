import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';

export interface ReceivedMessage {
  webhookId: string;
  timestamp: number;
  /** Whether webhook-signature verified against the secret (Standard Webhooks). */
  verified: boolean;
  body: { id: string; type: string; createdAt: string; data: any };
}

export interface Receiver {
  url: string;
  /** Every request that arrived, answered or not. */
  requests: number;
  /** Requests whose signature verified, in arrival order. */
  messages: ReceivedMessage[];
  /** The whsec_ secret to verify with (set once the webhook exists). */
  secret: string;
  /** Answer the next this-many requests with HTTP 500. */
  failNext: number;
  /** Hold the next this-many requests without answering (as a receiver behind a dead network would). */
  hangNext: number;
  /** Resolves when at least `count` requests have arrived. */
  waitForRequests(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** What a developer's endpoint does with a Standard Webhooks message: verify before trusting it. */
function verify(secret: string, id: string, timestamp: string, body: string, header: string): boolean {
  if (!secret.startsWith('whsec_')) return false;
  const expected = createHmac('sha256', Buffer.from(secret.slice('whsec_'.length), 'base64')).update(`${id}.${timestamp}.${body}`).digest();
  return header.split(' ').some((part) => {
    const [version, signature] = part.split(',');
    const given = Buffer.from(signature ?? '', 'base64');
    return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/** A real HTTP endpoint on loopback that checks signatures, can fail or hang on demand, and counts. */
export async function startReceiver(): Promise<Receiver> {
  const held: http.ServerResponse[] = [];
  const server = http.createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      receiver.requests++;
      const id = String(request.headers['webhook-id']);
      const timestamp = String(request.headers['webhook-timestamp']);
      const verified = verify(receiver.secret, id, timestamp, body, String(request.headers['webhook-signature'] ?? ''));
      if (verified) receiver.messages.push({ webhookId: id, timestamp: Number(timestamp), verified, body: JSON.parse(body) });
      if (receiver.hangNext > 0) {
        receiver.hangNext--;
        held.push(response);
        return;
      }
      if (receiver.failNext > 0) {
        receiver.failNext--;
        response.writeHead(500).end('not now');
        return;
      }
      response.writeHead(verified ? 204 : 401).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const receiver: Receiver = {
    url: `http://127.0.0.1:${port}/hooks`,
    requests: 0,
    messages: [],
    secret: '',
    failNext: 0,
    hangNext: 0,
    async waitForRequests(count, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (receiver.requests < count) {
        if (Date.now() > deadline) throw new Error(`only ${receiver.requests} of ${count} webhook requests arrived`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    async close() {
      for (const response of held) response.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  return receiver;
}
