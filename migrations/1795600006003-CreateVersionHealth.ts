import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Version health, kept exact and incremental the way telemetry_daily is: version_daily_devices is
 * the set of devices seen per app, UTC day and app version (with whether any of them crashed that
 * day), and version_health_daily counts them. Ingestion inserts each (app, day, version, device)
 * with ON CONFLICT: rows that go in are the devices new to that version-day, rows that flip
 * `crashed` are its newly crashed devices, so the counts only ever add exact increments. Monthly
 * partitions like telemetry_daily_devices, dropped by the same retention; the counts are kept.
 */
export class CreateVersionHealth1795600006003 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE version_daily_devices (
        app_id uuid NOT NULL,
        date date NOT NULL,
        app_version varchar(20) NOT NULL,
        device_hash bytea NOT NULL,
        crashed boolean NOT NULL DEFAULT false,
        -- Set when \`crashed\` flips on a row already there, which tells ingestion that device was
        -- already counted active (RETURNING xmax cannot say so on a partitioned table).
        crashed_after_seen boolean NOT NULL DEFAULT false,
        PRIMARY KEY (app_id, date, app_version, device_hash)
      ) PARTITION BY RANGE (date)`);
    await queryRunner.query(`CREATE TABLE version_daily_devices_default PARTITION OF version_daily_devices DEFAULT`);
    await queryRunner.query(`
      CREATE TABLE version_health_daily (
        app_id uuid NOT NULL,
        date date NOT NULL,
        app_version varchar(20) NOT NULL,
        active_devices integer NOT NULL,
        crashed_devices integer NOT NULL,
        PRIMARY KEY (app_id, date, app_version)
      )`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE version_health_daily`);
    await queryRunner.query(`DROP TABLE version_daily_devices`);
  }
}
