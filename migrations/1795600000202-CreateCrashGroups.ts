import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One row per crash group (app and fingerprint): its crash type and the title shown for it, fixed
 * by the first report. Counts, devices, versions and first/last seen come from crash_reports for
 * the range asked, so they are always exact.
 */
export class CreateCrashGroups1795600000202 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE crash_groups (
        app_id uuid NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
        fingerprint char(64) NOT NULL,
        crash_type varchar(50) NOT NULL,
        title varchar(255) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (app_id, fingerprint)
      )`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE crash_groups`);
  }
}
