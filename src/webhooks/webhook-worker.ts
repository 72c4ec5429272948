import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { DataSource } from 'typeorm';
import { type Repeating, repeat } from '../background/repeat';
import { queryRows } from '../db/sql';
import { guardedLookup, hostOf, isForbiddenAddress } from './address-guard';

export interface WebhookDeliveryOptions {
  retryBaseMs: number;
  maxAttempts: number;
  allowPrivate: boolean;
  timeoutMs: number;
}

/** A claimed delivery: what to send where, and which attempt this is. */
interface Claim {
  id: string;
  attempts: number;
  url: string;
  secret: Buffer;
  eventId: string;
  type: string;
  data: unknown;
  createdAt: Date;
}

interface Outcome {
  responseStatus: number | null;
  error: string | null;
}

/** How often an idle worker looks for due deliveries. */
export const WEBHOOK_POLL_MS = 500;
/** How many deliveries one round claims and attempts side by side. */
const CLAIM_BATCH = 20;
/** A claimed delivery is left alone this much longer than an attempt can take; then it is due again. */
const LEASE_GRACE_MS = 5_000;
const ERROR_MAX = 500;
const LONGEST_RETRY_MS = 24 * 3600 * 1000;

/**
 * Standard Webhooks signature: base64 HMAC-SHA256 over "<id>.<timestamp>.<body>", keyed by the
 * secret's decoded bytes, as "v1,<signature>".
 */
export function signatureOf(secret: Buffer, messageId: string, timestamp: number, body: string): string {
  return `v1,${createHmac('sha256', secret).update(`${messageId}.${timestamp}.${body}`).digest('base64')}`;
}

/**
 * Delivers the outbox. Each round claims due deliveries in a short transaction (FOR UPDATE SKIP
 * LOCKED, so processes never claim the same row), counting the attempt and pushing
 * next_attempt_at past the attempt's timeout as a lease; then POSTs them with no transaction open,
 * and records each outcome only if the row is still the attempt it claimed. A process killed
 * mid-delivery leaves its claims to come due again when their leases run out: at least once.
 */
export class WebhookDispatcher {
  constructor(
    private readonly db: DataSource,
    private readonly options: WebhookDeliveryOptions,
  ) {}

  /** One round; returns how many deliveries it attempted. */
  async runOnce(): Promise<number> {
    const claims = await this.claim();
    await Promise.all(claims.map(async (claim) => this.record(claim, await this.attempt(claim))));
    return claims.length;
  }

  private async claim(): Promise<Claim[]> {
    const leaseSeconds = (this.options.timeoutMs + LEASE_GRACE_MS) / 1000;
    return queryRows<Claim>(
      this.db,
      `WITH abandoned AS (
         UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL,
                last_error = coalesce(last_error, 'the last attempt was cut short')
          WHERE status = 'pending' AND attempts >= $2 AND next_attempt_at <= now()
       ), due AS (
         SELECT id FROM webhook_deliveries
          WHERE status = 'pending' AND attempts < $2 AND next_attempt_at <= now()
          ORDER BY next_attempt_at LIMIT $1
          FOR UPDATE SKIP LOCKED
       )
       UPDATE webhook_deliveries d
          SET attempts = d.attempts + 1, last_attempt_at = now(), next_attempt_at = now() + make_interval(secs => $3::float8)
         FROM due, webhooks w, webhook_events e
        WHERE d.id = due.id AND w.id = d.webhook_id AND e.id = d.event_id
       RETURNING d.id, d.attempts, w.url, w.secret, e.id AS "eventId", e.type, e.data, e.created_at AS "createdAt"`,
      [CLAIM_BATCH, this.options.maxAttempts, leaseSeconds],
    );
  }

  /** One POST. Never throws: a failure is an outcome to record. */
  private async attempt(claim: Claim): Promise<Outcome> {
    const body = JSON.stringify({ id: claim.eventId, type: claim.type, createdAt: claim.createdAt.toISOString(), data: claim.data });
    const timestamp = Math.floor(Date.now() / 1000);
    let url: URL;
    try {
      url = new URL(claim.url);
      this.assertReachable(url);
    } catch (error) {
      return { responseStatus: null, error: (error as Error).message };
    }
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise<Outcome>((resolve) => {
      const request = transport.request(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Mosis-Webhooks/1',
          'webhook-id': claim.eventId,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signatureOf(claim.secret, claim.eventId, timestamp, body),
        },
        lookup: this.options.allowPrivate ? undefined : guardedLookup,
        signal: AbortSignal.timeout(this.options.timeoutMs),
        agent: false,
      }, (response) => {
        // Only the status matters; the body is drained so the socket closes cleanly.
        response.resume();
        response.on('end', () => resolve({ responseStatus: response.statusCode ?? null, error: null }));
        response.on('error', (error) => resolve({ responseStatus: response.statusCode ?? null, error: error.message }));
      });
      request.on('error', (error) => resolve({ responseStatus: null, error: error.message }));
      request.end(body);
    });
  }

  /** https to a public address, unless WEBHOOK_ALLOW_PRIVATE; host names are checked again as they resolve (guardedLookup). */
  private assertReachable(url: URL): void {
    if (this.options.allowPrivate) return;
    if (url.protocol !== 'https:') throw new Error('webhook URLs must be https');
    const host = hostOf(url);
    if (net.isIP(host) && isForbiddenAddress(host)) throw new Error(`${host} is an address webhooks may not reach`);
  }

  private async record(claim: Claim, outcome: Outcome): Promise<void> {
    const delivered = outcome.responseStatus !== null && outcome.responseStatus >= 200 && outcome.responseStatus < 300;
    const status = delivered ? 'delivered' : claim.attempts >= this.options.maxAttempts ? 'failed' : 'pending';
    const retryMs = Math.min(this.options.retryBaseMs * 2 ** (claim.attempts - 1), LONGEST_RETRY_MS);
    const error = delivered ? null : (outcome.error ?? `HTTP ${outcome.responseStatus}`).slice(0, ERROR_MAX);
    await this.db.query(
      `UPDATE webhook_deliveries
          SET status = $3::text, response_status = $4::int, last_error = $5::text,
              next_attempt_at = CASE WHEN $3::text = 'pending' THEN now() + make_interval(secs => $6::float8) END
        WHERE id = $1 AND attempts = $2 AND status = 'pending'`,
      [claim.id, claim.attempts, status, outcome.responseStatus, error, retryMs / 1000],
    );
  }
}

/**
 * Runs the dispatcher until stopped: straight on while rounds find work, otherwise every
 * `pollMs`. Failures (the database away, say) are logged and retried on the next poll.
 */
export function startWebhookWorker(dispatcher: WebhookDispatcher, log: (message: string) => void, pollMs: number): Repeating {
  return repeat(async () => {
    try {
      return (await dispatcher.runOnce()) > 0;
    } catch (error) {
      log(`webhooks: delivery round failed, will retry: ${(error as Error).message}`);
      return false;
    }
  }, pollMs);
}
