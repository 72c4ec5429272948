import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Event types in the daily rollups obey the ingestion rule (EVENT_TYPE in telemetry.service.ts):
 * a letter, then letters, digits and _ . : - only. The hot telemetryDaily read relies on it: it
 * receives its rows as one space-separated text (see dailyOfApp), which no space or newline in a
 * stored type may break. Added NOT VALID and then validated, so writes are not blocked meanwhile.
 */
export class CheckDailyEventTypes1795600007001 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE telemetry_daily ADD CONSTRAINT telemetry_daily_event_type_format
        CHECK (event_type ~ '^[A-Za-z][A-Za-z0-9_.:-]{0,49}$') NOT VALID`);
    await queryRunner.query(`ALTER TABLE telemetry_daily VALIDATE CONSTRAINT telemetry_daily_event_type_format`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE telemetry_daily DROP CONSTRAINT telemetry_daily_event_type_format`);
  }
}
