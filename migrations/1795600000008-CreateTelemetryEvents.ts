import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Raw telemetry, range-partitioned by event time so retention drops whole partitions and
 * time-range queries touch only the months they ask for. Monthly partitions are created ahead
 * by the partition manager; the default partition catches anything outside them so a batch
 * never fails for want of a partition. No foreign key to apps: it would cost a lookup per
 * ingested row, and ingestion already checks that the app belongs to the key's developer.
 */
export class CreateTelemetryEvents1795600000008 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE telemetry_events (
        id bigserial,
        app_id uuid NOT NULL,
        device_id char(64) NOT NULL,
        event_type varchar(50) NOT NULL,
        event_data jsonb,
        mosis_version varchar(20),
        event_id varchar(64),
        "timestamp" timestamptz NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY ("timestamp", id)
      ) PARTITION BY RANGE ("timestamp")`);
    await queryRunner.query(`CREATE TABLE telemetry_events_default PARTITION OF telemetry_events DEFAULT`);
    await queryRunner.query(`CREATE INDEX idx_telemetry_app ON telemetry_events (app_id, "timestamp" DESC, id DESC)`);
    await queryRunner.query(`CREATE INDEX idx_telemetry_type ON telemetry_events (event_type, "timestamp")`);
    // A retried upload carries the same event id and time: this index makes the retry a no-op.
    await queryRunner.query(
      `CREATE UNIQUE INDEX idx_telemetry_event_id ON telemetry_events (app_id, event_id, "timestamp") WHERE event_id IS NOT NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE telemetry_events`);
  }
}
