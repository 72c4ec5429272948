import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateTelemetryDaily1795600000010 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE telemetry_daily (
        app_id uuid NOT NULL,
        date date NOT NULL,
        event_type varchar(50) NOT NULL,
        count bigint NOT NULL,
        unique_devices bigint NOT NULL,
        PRIMARY KEY (app_id, date, event_type)
      )`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE telemetry_daily`);
  }
}
