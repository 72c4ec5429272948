import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Audit rows are evidence: a trigger refuses UPDATE, DELETE and TRUNCATE for every role,
 * superusers included (only dropping the table, i.e. this migration's down, removes them).
 */
export class CreateAuditLogs1795600000011 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE audit_logs (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        actor_id uuid,
        action varchar(64) NOT NULL,
        target_type varchar(32),
        target_id varchar(255),
        metadata jsonb NOT NULL DEFAULT '{}',
        ip inet,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX idx_audit_logs_actor ON audit_logs (actor_id, id DESC)`);
    await queryRunner.query(`CREATE INDEX idx_audit_logs_created ON audit_logs USING brin (created_at)`);
    await queryRunner.query(`
      CREATE FUNCTION audit_logs_refuse_change() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_logs is append-only: % is not allowed', TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER audit_logs_append_only BEFORE UPDATE OR DELETE ON audit_logs
      FOR EACH ROW EXECUTE FUNCTION audit_logs_refuse_change()`);
    await queryRunner.query(`
      CREATE TRIGGER audit_logs_no_truncate BEFORE TRUNCATE ON audit_logs
      FOR EACH STATEMENT EXECUTE FUNCTION audit_logs_refuse_change()`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE audit_logs`);
    await queryRunner.query(`DROP FUNCTION audit_logs_refuse_change()`);
  }
}
