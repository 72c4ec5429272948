import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateApiKeys1795600000004 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        developer_id uuid NOT NULL REFERENCES developers (id) ON DELETE CASCADE,
        name varchar(100) NOT NULL,
        key_hash varchar(255) NOT NULL,
        key_prefix varchar(10) NOT NULL,
        permissions jsonb NOT NULL DEFAULT '[]',
        last_used_at timestamptz,
        expires_at timestamptz,
        revoked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Authenticating a key is one lookup of its hash.
    await queryRunner.query(`CREATE UNIQUE INDEX idx_api_keys_hash ON api_keys (key_hash)`);
    await queryRunner.query(`CREATE INDEX idx_api_keys_developer ON api_keys (developer_id, created_at)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE api_keys`);
  }
}
