import type { DataSource } from 'typeorm';
import { recordAudit } from '../audit/audit.service';
import { badInput, notFound } from '../graphql/errors';
import { Developer } from './developer.entity';
import { ROLES, Role } from './role';

/** The public columns under their entity property names (never the password hash), unqualified. */
export const DEVELOPER_COLUMNS = `id, email, name, role, verified, created_at AS "createdAt", updated_at AS "updatedAt"`;

/** Timestamps of a developer that arrived as JSON (see reviveDates). */
export const DEVELOPER_DATES = ['createdAt', 'updatedAt'] as const;

export class DeveloperService {
  constructor(private readonly db: DataSource) {}

  async findByIds(ids: readonly string[]): Promise<Developer[]> {
    return this.db.query(`SELECT ${DEVELOPER_COLUMNS} FROM developers WHERE id = ANY($1)`, [ids]);
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
