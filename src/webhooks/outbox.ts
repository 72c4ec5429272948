import type { EntityManager } from 'typeorm';

/** Every event type a webhook can subscribe to (the contract's list). */
export const WEBHOOK_EVENT_TYPES = [
  'version.submitted', 'version.approved', 'version.rejected', 'version.published',
  'rollout.updated', 'rollout.halted', 'crash_group.created',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** Webhooks of the event's developer that subscribe to it: all their apps, or this one. */
const SUBSCRIBED = (w: string, e: string) =>
  `${w}.developer_id = ${e}.developer_id AND (${w}.app_id IS NULL OR ${w}.app_id = ${e}.app_id) AND ${e}.type = ANY (${w}.events)`;

/**
 * The transactional outbox as CTEs, for a statement whose CTE `source` yields events as
 * (developer_id, app_id, type, data): each event with a subscriber is stored with one pending
 * delivery per subscribed webhook, in the same statement (so the same transaction) as the change
 * that caused it. Events nobody subscribes to are not stored at all.
 */
export function outboxCtes(source: string): string {
  return `
outbox_events AS (
  INSERT INTO webhook_events (developer_id, app_id, type, data)
  SELECT s.developer_id, s.app_id, s.type, s.data FROM ${source} s
   WHERE EXISTS (SELECT 1 FROM webhooks w WHERE ${SUBSCRIBED('w', 's')})
  RETURNING id, developer_id, app_id, type
), outbox_deliveries AS (
  INSERT INTO webhook_deliveries (webhook_id, event_id)
  SELECT w.id, e.id FROM outbox_events e JOIN webhooks w ON ${SUBSCRIBED('w', 'e')}
)`;
}

/** An event about one app; it goes to the app's developer's webhooks. */
export interface WebhookEvent {
  appId: string;
  type: WebhookEventType;
  data: Record<string, unknown>;
}

/** Records one event through the given manager: it commits or rolls back with the change it describes. */
export async function recordEvent(manager: EntityManager, event: WebhookEvent): Promise<void> {
  await manager.query(
    `WITH source AS (SELECT a.developer_id, a.id AS app_id, $2::text AS type, $3::jsonb AS data FROM apps a WHERE a.id = $1),
     ${outboxCtes('source')}
     SELECT 1`,
    [event.appId, event.type, JSON.stringify(event.data)],
  );
}
