import type { DataSource } from 'typeorm';
import { recordAudit } from '../audit/audit.service';
import { type ColumnMap, selectColumns } from '../db/sql';
import { badInput, notFound } from '../graphql/errors';
import { Developer } from './developer.entity';
import { ROLES, Role } from './role';

/** The public columns by entity property name (never the password hash). */
export const DEVELOPER_COLUMN_SQL: ColumnMap = {
  id: (d) => `${d}.id`,
  email: (d) => `${d}.email`,
  name: (d) => `${d}.name`,
  role: (d) => `${d}.role`,
  verified: (d) => `${d}.verified`,
  createdAt: (d) => `${d}.created_at`,
  updatedAt: (d) => `${d}.updated_at`,
};

/** The public columns under their entity property names, over the alias `d`. */
export const DEVELOPER_COLUMNS = selectColumns(DEVELOPER_COLUMN_SQL, 'd');

/** Timestamps of a developer that arrived as JSON (see reviveDates). */
export const DEVELOPER_DATES = ['createdAt', 'updatedAt'] as const;

export class DeveloperService {
  constructor(private readonly db: DataSource) {}

  async findByIds(ids: readonly string[]): Promise<Developer[]> {
    return this.db.query(`SELECT ${DEVELOPER_COLUMNS} FROM developers d WHERE d.id = ANY($1)`, [ids]);
  }

  /** Case-insensitive, served by the unique index on lower(email). */
  async findByEmail(email: string): Promise<Developer | null> {
    return this.db
      .getRepository(Developer)
      .createQueryBuilder('d')
      .where('lower(d.email) = lower(:email)', { email: email.trim() })
      .getOne();
  }

  /** Used by `npx mosis grant-role`; takes effect on the next request of every session and key. */
  async grantRole(email: string, role: string, actorId: string | null = null): Promise<Developer> {
    if (!ROLES.includes(role)) throw badInput('role', `must be one of ${ROLES.join(', ')}`);
    return this.db.transaction(async (manager) => {
      const developer = await manager
        .getRepository(Developer)
        .createQueryBuilder('d')
        .setLock('pessimistic_write')
        .where('lower(d.email) = lower(:email)', { email: email.trim() })
        .getOne();
      if (!developer) throw notFound(`Developer ${email}`);
      const previous = developer.role;
      await manager.query(`UPDATE developers SET role = $2, updated_at = now() WHERE id = $1`, [developer.id, role]);
      await recordAudit(manager, {
        actorId,
        action: 'developer.grant_role',
        targetType: 'developer',
        targetId: developer.id,
        metadata: { from: previous, to: role },
        ip: null,
      });
      developer.role = role as Role;
      return developer;
    });
  }
}
