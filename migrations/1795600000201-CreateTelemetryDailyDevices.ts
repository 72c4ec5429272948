import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The set of devices seen per app, UTC day and event type: what makes `telemetry_daily.unique_devices`
 * exact and incremental. Ingestion inserts each (app, day, type, device) here with ON CONFLICT DO
 * NOTHING; the rows that do get inserted are exactly the devices new to that day, so the rollup adds
 * their number without ever rescanning raw events. Devices are the 32 raw bytes of the keyed hash
 * (half the size of its hex form). Partitioned by month like telemetry_events, so retention drops
 * whole partitions of both together; the default partition catches days without one.
 */
export class CreateTelemetryDailyDevices1795600000201 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE telemetry_daily_devices (
        app_id uuid NOT NULL,
        date date NOT NULL,
        event_type varchar(50) NOT NULL,
        device_hash bytea NOT NULL,
        PRIMARY KEY (app_id, date, event_type, device_hash)
      ) PARTITION BY RANGE (date)`);
    await queryRunner.query(`CREATE TABLE telemetry_daily_devices_default PARTITION OF telemetry_daily_devices DEFAULT`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE telemetry_daily_devices`);
  }
}
