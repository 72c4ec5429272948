import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateApps1795600000006 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    // to_tsvector over array_to_string is not immutable by declaration, so generated columns
    // cannot call it directly; this wrapper is safe because tags are plain lowercase words.
    await queryRunner.query(`
      CREATE FUNCTION mosis_tags_text(tags varchar[]) RETURNS text
      LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $$ SELECT coalesce(array_to_string(tags, ' '), '') $$`);
    await queryRunner.query(`
      CREATE TABLE apps (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        developer_id uuid NOT NULL REFERENCES developers (id) ON DELETE CASCADE,
        package_id varchar(255) NOT NULL,
        name varchar(100) NOT NULL,
        description text,
        category varchar(50),
        tags varchar(50)[] NOT NULL DEFAULT '{}',
        status varchar(20) NOT NULL DEFAULT 'draft'
          CONSTRAINT apps_status_check CHECK (status IN ('draft', 'published', 'suspended')),
        suspended_reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        search_vector tsvector GENERATED ALWAYS AS (
          setweight(to_tsvector('english', name), 'A') ||
          setweight(to_tsvector('english', coalesce(description, '')), 'B') ||
          setweight(to_tsvector('english', mosis_tags_text(tags)), 'C')
        ) STORED
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX idx_apps_package ON apps (package_id)`);
    await queryRunner.query(`CREATE INDEX idx_apps_developer ON apps (developer_id, created_at, id)`);
    await queryRunner.query(`CREATE INDEX idx_apps_status ON apps (status)`);
    await queryRunner.query(`CREATE INDEX idx_apps_search ON apps USING gin (search_vector)`);
    await queryRunner.query(`CREATE INDEX idx_apps_tags ON apps USING gin (tags)`);
    await queryRunner.query(`CREATE INDEX idx_apps_name_trgm ON apps USING gin (lower(name) gin_trgm_ops)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE apps`);
    await queryRunner.query(`DROP FUNCTION mosis_tags_text(varchar[])`);
  }
}
