import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { AppService } from '../apps/app.service';
import { recordAudit } from '../audit/audit.service';
import type { Principal } from '../auth/principal';
import { queryRows } from '../db/sql';
import { type ConnectionData, type CursorKey, cursorPart, type Page, pageOrder, pastCursor, toConnection } from '../graphql/connection';
import { badInput, conflict, notFound } from '../graphql/errors';
import { isId } from '../graphql/ids';
import { groupByKey } from '../graphql/loaders';
import { hostOf, isForbiddenAddress, resolveAll } from './address-guard';
import { WEBHOOK_EVENT_TYPES } from './outbox';
import type { CreateWebhookPayload, Webhook, WebhookDelivery } from './webhook.types';

/** The delivery log's keyset: (created_at, id). */
export const DELIVERY_CURSOR: CursorKey = [cursorPart.timestamp, cursorPart.uuid];

/** A developer's webhooks: enough for every system they run, few enough to fan out cheaply. */
export const MAX_WEBHOOKS_PER_DEVELOPER = 25;
const SECRET_BYTES = 32;

const WEBHOOK_COLUMNS = (w: string) => `
  ${w}.id, ${w}.developer_id AS "developerId", ${w}.url, ${w}.events, ${w}.app_id AS "appId", ${w}.created_at AS "createdAt"`;

export const DELIVERY_COLUMNS = (d: string, e: string) => `
  ${d}.id, ${d}.webhook_id AS "webhookId", ${e}.type AS event, ${d}.status, ${d}.attempts, ${d}.response_status AS "responseStatus",
  ${d}.last_error AS "lastError", ${d}.created_at AS "createdAt", ${d}.last_attempt_at AS "lastAttemptAt",
  ${d}.next_attempt_at AS "nextAttemptAt",
  to_char(${d}.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS "cursorCreatedAt"`;

export interface NewWebhook {
  url: string;
  events: string[];
  appId: string | null;
}

export class WebhookService {
  constructor(
    private readonly db: DataSource,
    private readonly apps: AppService,
    private readonly options: { allowPrivate: boolean },
  ) {}

  /**
   * Registers a webhook and returns its secret, once. Checks, in this order: an app named must be
   * the caller's own; the input is well-formed; the event types exist; the URL is https and every
   * address it resolves to is public (both lifted by WEBHOOK_ALLOW_PRIVATE).
   */
  async create(principal: Principal, input: NewWebhook, validateInput: () => Promise<void>, ip: string | null): Promise<CreateWebhookPayload> {
    if (input.appId) await this.db.transaction((manager) => this.apps.lockOwnApp(manager, principal, input.appId!));
    await validateInput();
    const unknown = input.events.filter((event) => !(WEBHOOK_EVENT_TYPES as readonly string[]).includes(event));
    if (unknown.length > 0) {
      throw badInput('events', `unknown event type ${unknown.map((e) => JSON.stringify(e.slice(0, 50))).join(', ')}; use any of ${WEBHOOK_EVENT_TYPES.join(', ')}`);
    }
    const url = await this.checkedUrl(input.url);
    const key = randomBytes(SECRET_BYTES);
    return this.db.transaction(async (manager) => {
      // One developer's registrations queue here, so the limit holds under concurrent creates.
      await manager.query(`SELECT 1 FROM developers WHERE id = $1 FOR UPDATE`, [principal.developerId]);
      const [{ count }] = await manager.query(`SELECT count(*)::int AS count FROM webhooks WHERE developer_id = $1`, [principal.developerId]);
      if (count >= MAX_WEBHOOKS_PER_DEVELOPER) {
        throw conflict(`You have ${count} webhooks, the most allowed; delete one first.`);
      }
      const [webhook] = await manager.query(
        `INSERT INTO webhooks (developer_id, app_id, url, events, secret) VALUES ($1, $2, $3, $4, $5)
         RETURNING ${WEBHOOK_COLUMNS('webhooks')}`,
        [principal.developerId, input.appId, url, [...new Set(input.events)], key],
      );
      await this.audit(manager, principal, 'webhook.create', webhook.id, ip, { url, events: webhook.events, appId: input.appId });
      return { webhook, secret: `whsec_${key.toString('base64')}` };
    });
  }

  /** https only, and no address a server inside our network should be made to call. */
  private async checkedUrl(raw: string): Promise<string> {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw badInput('url', 'must be an absolute https:// URL');
    }
    const allowed = this.options.allowPrivate ? ['https:', 'http:'] : ['https:'];
    if (!allowed.includes(url.protocol)) throw badInput('url', 'must be an https:// URL');
    if (url.username || url.password) throw badInput('url', 'must not carry a user name or password');
    if (this.options.allowPrivate) return url.href;
    const host = hostOf(url);
    let addresses: string[];
    try {
      addresses = await resolveAll(host);
    } catch {
      throw badInput('url', `the host ${host} does not resolve`);
    }
    const forbidden = addresses.find(isForbiddenAddress);
    if (forbidden) {
      throw badInput('url', `${host} is (or resolves to) ${forbidden}, a loopback, private, link-local or otherwise non-public address`);
    }
    return url.href;
  }

  /** The owner deletes a webhook; its deliveries, pending ones included, go with it. */
  async delete(principal: Principal, id: string, ip: string | null): Promise<Webhook> {
    if (!isId(id)) throw notFound('Webhook');
    return this.db.transaction(async (manager) => {
      const [webhook] = await queryRows<Webhook>(
        manager,
        `DELETE FROM webhooks w WHERE w.id = $1 AND w.developer_id = $2 RETURNING ${WEBHOOK_COLUMNS('w')}`,
        [id, principal.developerId],
      );
      if (!webhook) throw notFound('Webhook');
      await this.audit(manager, principal, 'webhook.delete', id, ip, { url: webhook.url });
      return webhook;
    });
  }

  /** A new delivery of the same message (same webhook-id), to the same webhook. */
  async redeliver(principal: Principal, deliveryId: string, ip: string | null): Promise<WebhookDelivery> {
    if (!isId(deliveryId)) throw notFound('Webhook delivery');
    return this.db.transaction(async (manager) => {
      const [delivery] = await manager.query(
        `WITH source AS (
           SELECT d.webhook_id, d.event_id FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
            WHERE d.id = $1 AND w.developer_id = $2
         ), created AS (
           INSERT INTO webhook_deliveries (webhook_id, event_id) SELECT webhook_id, event_id FROM source RETURNING *
         )
         SELECT ${DELIVERY_COLUMNS('d', 'e')} FROM created d JOIN webhook_events e ON e.id = d.event_id`,
        [deliveryId, principal.developerId],
      );
      if (!delivery) throw notFound('Webhook delivery');
      await this.audit(manager, principal, 'webhook.redeliver', delivery.webhookId, ip, { deliveryId, newDeliveryId: delivery.id });
      return delivery;
    });
  }

  async listForDevelopers(developerIds: readonly string[]): Promise<Webhook[][]> {
    const rows: Webhook[] = await this.db.query(
      `SELECT ${WEBHOOK_COLUMNS('w')} FROM webhooks w WHERE w.developer_id = ANY($1) ORDER BY w.created_at, w.id`,
      [developerIds],
    );
    return groupByKey(developerIds, rows, (w) => w.developerId);
  }

  /** The delivery log, newest first, keyset on (created_at, id). */
  async deliveries(webhookId: string, page: Page): Promise<ConnectionData<WebhookDelivery>> {
    const params: unknown[] = [webhookId];
    const resume = page.cursor
      ? `AND (d.created_at, d.id) ${pastCursor(page, 'DESC')} ($${params.push(page.cursor[0])}::timestamp AT TIME ZONE 'UTC', $${params.push(page.cursor[1])}::uuid)`
      : '';
    const rows: WebhookDelivery[] = await this.db.query(
      `SELECT ${DELIVERY_COLUMNS('d', 'e')} FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
        WHERE d.webhook_id = $1 ${resume}
        ORDER BY ${pageOrder(page, 'd.created_at DESC, d.id DESC')} LIMIT ${page.limit + 1}`,
      params,
    );
    return toConnection(rows, page, (row) => [row.cursorCreatedAt, row.id], async () => {
      const [{ count }] = await this.db.query(`SELECT count(*)::int AS count FROM webhook_deliveries WHERE webhook_id = $1`, [webhookId]);
      return count;
    });
  }

  private audit(manager: Parameters<typeof recordAudit>[0], principal: Principal, action: string, webhookId: string, ip: string | null, metadata: Record<string, unknown>) {
    return recordAudit(manager, { actorId: principal.developerId, action, targetType: 'webhook', targetId: webhookId, metadata, ip });
  }
}
