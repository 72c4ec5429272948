import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhooks and their transactional outbox. A change that emits an event inserts, in its own
 * transaction, the event (webhook_events) and one pending delivery per subscribed webhook
 * (webhook_deliveries); the delivery worker claims due deliveries with FOR UPDATE SKIP LOCKED and a
 * lease (next_attempt_at pushed past the attempt's timeout), so a process killed mid-delivery
 * leaves the row to be claimed again once the lease runs out. The secret is kept as the raw key
 * bytes: signing needs them.
 */
export class CreateWebhooks1795600006004 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE webhooks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        developer_id uuid NOT NULL REFERENCES developers (id) ON DELETE CASCADE,
        app_id uuid REFERENCES apps (id) ON DELETE CASCADE,
        url varchar(2048) NOT NULL,
        events text[] NOT NULL,
        secret bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX idx_webhooks_developer ON webhooks (developer_id)`);
    await queryRunner.query(`
      CREATE TABLE webhook_events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        developer_id uuid NOT NULL REFERENCES developers (id) ON DELETE CASCADE,
        app_id uuid,
        type varchar(50) NOT NULL,
        data jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE webhook_deliveries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        webhook_id uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
        event_id uuid NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
        status varchar(10) NOT NULL DEFAULT 'pending'
          CONSTRAINT webhook_deliveries_status_check CHECK (status IN ('pending', 'delivered', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        response_status integer,
        last_error text,
        next_attempt_at timestamptz DEFAULT now(),
        last_attempt_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX idx_webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending'`);
    await queryRunner.query(`CREATE INDEX idx_webhook_deliveries_log ON webhook_deliveries (webhook_id, created_at DESC, id DESC)`);
    await queryRunner.query(`CREATE INDEX idx_webhook_deliveries_event ON webhook_deliveries (event_id)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE webhook_deliveries`);
    await queryRunner.query(`DROP TABLE webhook_events`);
    await queryRunner.query(`DROP TABLE webhooks`);
  }
}
