import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `api_keys.permissions` holds only the scopes the API knows, now including account:read and
 * account:write. Nothing is granted to existing keys: a key gets the account scopes only when a new
 * key is created with them, so keys already shipped inside device apps stay unable to touch the
 * account. A scope added later needs a migration that widens this list.
 */
export class RestrictApiKeyPermissions1795600004001 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE api_keys ADD CONSTRAINT api_keys_permissions_known CHECK (
        jsonb_typeof(permissions) = 'array'
        AND permissions <@ '["apps:read", "apps:write", "telemetry:read", "telemetry:write", "account:read", "account:write"]'::jsonb
      )`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE api_keys DROP CONSTRAINT api_keys_permissions_known`);
  }
}
