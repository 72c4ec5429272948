import { MigrationInterface, QueryRunner } from 'typeorm';

/** The app version (an AppVersion.versionName) an event came from, when the device says; feeds version health. */
export class AddAppVersionToTelemetryEvents1795600006002 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    // Nullable without a default: a catalog-only change, instant on a table of any size.
    await queryRunner.query(`ALTER TABLE telemetry_events ADD COLUMN app_version varchar(20)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE telemetry_events DROP COLUMN app_version`);
  }
}
