import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A published version's rollout: which share of devices is offered it (percentage, state), how it
 * moves on (phased steps at rollout_next_step_at) and when it halts itself (rollout_halt_below, a
 * crash-free rate). Columns of app_versions rather than a table of their own, so the catalog's
 * hottest read, an app's latest fully rolled out version, stays one partial-index probe.
 * Versions published before rollouts existed were published to everyone: COMPLETE at 100%, as is
 * any version published without a rollout from now on (a trigger, so every writer agrees).
 */
export class AddRolloutToAppVersions1795600006001 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE app_versions
        ADD COLUMN rollout_percentage double precision
          CONSTRAINT app_versions_rollout_percentage_check CHECK (rollout_percentage > 0 AND rollout_percentage <= 100),
        ADD COLUMN rollout_state varchar(10)
          CONSTRAINT app_versions_rollout_state_check CHECK (rollout_state IN ('active', 'paused', 'halted', 'complete')),
        ADD COLUMN rollout_phased boolean NOT NULL DEFAULT false,
        ADD COLUMN rollout_halt_below double precision
          CONSTRAINT app_versions_rollout_halt_below_check CHECK (rollout_halt_below >= 0 AND rollout_halt_below <= 1),
        ADD COLUMN rollout_halted_reason text,
        ADD COLUMN rollout_started_at timestamptz,
        ADD COLUMN rollout_updated_at timestamptz,
        ADD COLUMN rollout_next_step_at timestamptz`);
    // Whatever publishes a version (the API, a seed script, a restore of older data) publishes it
    // to everyone unless it says otherwise: the same rule for every writer, kept by the database.
    await queryRunner.query(`
      CREATE FUNCTION app_versions_full_rollout_by_default() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.status = 'published' AND NEW.rollout_state IS NULL THEN
          NEW.rollout_percentage := 100;
          NEW.rollout_state := 'complete';
          NEW.rollout_started_at := coalesce(NEW.published_at, now());
          NEW.rollout_updated_at := NEW.rollout_started_at;
        END IF;
        RETURN NEW;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER app_versions_full_rollout_by_default BEFORE INSERT OR UPDATE OF status ON app_versions
        FOR EACH ROW EXECUTE FUNCTION app_versions_full_rollout_by_default()`);
    await queryRunner.query(`
      UPDATE app_versions
         SET rollout_percentage = 100, rollout_state = 'complete', rollout_started_at = published_at, rollout_updated_at = published_at
       WHERE status = 'published'`);
    // latestVersion: the highest fully rolled out code per app.
    await queryRunner.query(`
      CREATE INDEX idx_versions_latest_complete ON app_versions (app_id, version_code DESC)
       WHERE status = 'published' AND rollout_state = 'complete'`);
    // The release upkeep's scan: rollouts that may still change by themselves.
    await queryRunner.query(`
      CREATE INDEX idx_versions_live_rollouts ON app_versions (rollout_next_step_at)
       WHERE rollout_state IN ('active', 'paused')`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER app_versions_full_rollout_by_default ON app_versions`);
    await queryRunner.query(`DROP FUNCTION app_versions_full_rollout_by_default()`);
    await queryRunner.query(`DROP INDEX idx_versions_live_rollouts`);
    await queryRunner.query(`DROP INDEX idx_versions_latest_complete`);
    await queryRunner.query(`
      ALTER TABLE app_versions
        DROP COLUMN rollout_next_step_at, DROP COLUMN rollout_updated_at, DROP COLUMN rollout_started_at,
        DROP COLUMN rollout_halted_reason, DROP COLUMN rollout_halt_below, DROP COLUMN rollout_phased,
        DROP COLUMN rollout_state, DROP COLUMN rollout_percentage`);
  }
}
