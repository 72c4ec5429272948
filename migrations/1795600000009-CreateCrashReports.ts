import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateCrashReports1795600000009 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE crash_reports (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        app_id uuid NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
        app_version varchar(20) NOT NULL,
        device_id char(64) NOT NULL,
        crash_type varchar(50) NOT NULL,
        message text,
        stack_trace text,
        context jsonb,
        mosis_version varchar(20),
        fingerprint char(64) NOT NULL,
        event_id varchar(64),
        "timestamp" timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX idx_crashes_app ON crash_reports (app_id, "timestamp")`);
    await queryRunner.query(`CREATE INDEX idx_crashes_type ON crash_reports (crash_type)`);
    await queryRunner.query(`CREATE INDEX idx_crashes_group ON crash_reports (app_id, fingerprint, "timestamp")`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX idx_crashes_event_id ON crash_reports (app_id, event_id) WHERE event_id IS NOT NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE crash_reports`);
  }
}
