import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateSessions1795600000003 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        developer_id uuid NOT NULL REFERENCES developers (id) ON DELETE CASCADE,
        token_hash char(64) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        ip inet
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX idx_sessions_token_hash ON sessions (token_hash)`);
    await queryRunner.query(`CREATE INDEX idx_sessions_developer ON sessions (developer_id)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE sessions`);
  }
}
