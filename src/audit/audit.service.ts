import type { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '../auth/principal';
import { Role } from '../developers/role';
import { type ConnectionData, type Page, toConnection } from '../graphql/connection';
import { badInput } from '../graphql/errors';
import { AuditLog } from './audit-log.entity';

export interface AuditEntry {
  actorId: string | null;
  action: string;
  targetType?: string;
  targetId?: string;
  metadata?: Record<string, unknown>;
  ip: string | null;
}

/**
 * Writes one audit row through the given manager, so the row commits or rolls back together
 * with the change it records.
 */
export async function recordAudit(manager: EntityManager, entry: AuditEntry): Promise<void> {
  await manager.query(
    `INSERT INTO audit_logs (actor_id, action, target_type, target_id, metadata, ip)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [
      entry.actorId,
      entry.action,
      entry.targetType ?? null,
      entry.targetId ?? null,
      JSON.stringify(entry.metadata ?? {}),
      entry.ip,
    ],
  );
}

export class AuditService {
  constructor(private readonly db: DataSource) {}

  /**
   * Newest first, keyset-paginated on the identity column. Developers see their own actions
   * (including failed sign-ins on their account); admins see everyone's.
   */
  async list(principal: Principal, page: Page): Promise<ConnectionData<AuditLog>> {
    const afterId = page.after ? String(page.after[0]) : null;
    if (afterId !== null && !/^\d+$/.test(afterId)) throw badInput('after', 'is not a cursor returned by this list');
    const scoped = this.db.getRepository(AuditLog).createQueryBuilder('a');
    if (principal.role !== Role.ADMIN) scoped.where('a.actor_id = :actor', { actor: principal.developerId });

    const pageQuery = scoped.clone().orderBy('a.id', 'DESC').limit(page.limit + 1);
    if (afterId !== null) pageQuery.andWhere('a.id < :afterId', { afterId });
    const rows = await pageQuery.getMany();
    return toConnection(rows, page, (row) => [row.id], () => scoped.getCount());
  }
}
