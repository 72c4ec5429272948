import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateAppVersions1795600000007 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE app_versions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        app_id uuid NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
        version_code integer NOT NULL CONSTRAINT app_versions_version_code_check CHECK (version_code > 0),
        version_name varchar(20) NOT NULL,
        package_url text NOT NULL,
        package_size bigint NOT NULL CONSTRAINT app_versions_package_size_check CHECK (package_size > 0),
        package_sha256 char(64) NOT NULL,
        signature varchar(512) NOT NULL,
        signing_key_id uuid NOT NULL REFERENCES signing_keys (id),
        permissions jsonb NOT NULL DEFAULT '[]',
        min_mosis_version varchar(20),
        release_notes text,
        status varchar(20) NOT NULL DEFAULT 'draft'
          CONSTRAINT app_versions_status_check
          CHECK (status IN ('draft', 'review', 'approved', 'published', 'rejected')),
        review_notes text,
        published_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT app_versions_app_version_code_key UNIQUE (app_id, version_code)
      )`);
    await queryRunner.query(`CREATE INDEX idx_versions_status ON app_versions (status)`);
    // "App with its latest version": the newest published code per app, straight off this index.
    await queryRunner.query(
      `CREATE INDEX idx_versions_latest_published ON app_versions (app_id, version_code DESC) WHERE status = 'published'`,
    );
    await queryRunner.query(`CREATE INDEX idx_versions_signing_key ON app_versions (signing_key_id)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE app_versions`);
  }
}
