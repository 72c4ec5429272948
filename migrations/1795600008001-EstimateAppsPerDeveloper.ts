import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tells the planner to expect 500 apps per developer (n_distinct = -0.002: distinct developers are
 * 0.2% of the apps) instead of the store's average of about ten. A developer's app list runs as a
 * prepared statement, and its generic plan cannot know which developer it serves: at the average,
 * reading all of the developer's apps by bitmap and sorting them looks as cheap as walking
 * idx_apps_developer newest-first and stopping after a page, and was chosen. For the busiest
 * developers (thousands of apps) that read 100 times as much (4-22 ms against 0.2 ms for a page
 * of 50). Expecting more apps costs a small developer nothing (the ordered walk reads the same
 * few rows), and keeps the ordered walk chosen for filtered lists too (a status, the owner's
 * drafts). ANALYZE applies the setting to the statistics now rather than at the next autovacuum.
 */
export class EstimateAppsPerDeveloper1795600008001 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE apps ALTER COLUMN developer_id SET (n_distinct = -0.002)`);
    await queryRunner.query(`ANALYZE apps`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE apps ALTER COLUMN developer_id RESET (n_distinct)`);
    await queryRunner.query(`ANALYZE apps`);
  }
}
