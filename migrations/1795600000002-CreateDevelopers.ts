import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateDevelopers1795600000002 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE developers (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email varchar(255) NOT NULL,
        name varchar(100) NOT NULL,
        password_hash varchar(255),
        oauth_provider varchar(50),
        oauth_id varchar(255),
        role varchar(20) NOT NULL DEFAULT 'developer'
          CONSTRAINT developers_role_check CHECK (role IN ('developer', 'reviewer', 'admin')),
        verified boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Emails are unique case-insensitively; lookups by email use this index too.
    await queryRunner.query(`CREATE UNIQUE INDEX idx_developers_email ON developers (lower(email))`);
    await queryRunner.query(
      `CREATE INDEX idx_developers_oauth ON developers (oauth_provider, oauth_id) WHERE oauth_provider IS NOT NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE developers`);
  }
}
