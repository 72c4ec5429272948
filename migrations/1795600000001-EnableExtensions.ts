import { MigrationInterface, QueryRunner } from 'typeorm';

/** pg_trgm backs typo- and prefix-tolerant app search. */
export class EnableExtensions1795600000001 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP EXTENSION IF EXISTS pg_trgm`);
  }
}
