import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateSigningKeys1795600000005 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE signing_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        developer_id uuid NOT NULL REFERENCES developers (id) ON DELETE CASCADE,
        name varchar(100) NOT NULL,
        public_key text NOT NULL,
        fingerprint varchar(64) NOT NULL,
        is_active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // A public key can be registered once, by one developer.
    await queryRunner.query(`CREATE UNIQUE INDEX idx_signing_keys_fingerprint ON signing_keys (fingerprint)`);
    await queryRunner.query(`CREATE INDEX idx_signing_keys_developer ON signing_keys (developer_id, created_at)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE signing_keys`);
  }
}
