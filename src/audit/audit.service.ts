import type { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '../auth/principal';
import { Role } from '../developers/role';
import { type ConnectionData, type CursorKey, cursorPart, type Page, pastCursor, toConnection } from '../graphql/connection';
import { AuditLog } from './audit-log.entity';

export interface AuditEntry {
  actorId: string | null;
  action: string;
  targetType?: string;
  targetId?: string;
  metadata?: Record<string, unknown>;
  ip: string | null;
}

/** How much of a caller-typed value (a mistyped email, say) an audit row keeps. */
export const AUDIT_TEXT_MAX = 100;
const UNSAFE_CHARACTERS = /[\u0000-\u001f\u007f]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Text the caller typed, made fit for an audit row that admins read: control characters, NUL and
 * unpaired surrogates (which jsonb refuses) become U+FFFD, and only the first AUDIT_TEXT_MAX
 * characters are kept, marked with an ellipsis when cut.
 */
export function auditSafeText(value: string): string {
  const cut = value.length > AUDIT_TEXT_MAX ? `${value.slice(0, AUDIT_TEXT_MAX)}…` : value;
  return cut.replace(UNSAFE_CHARACTERS, '\uFFFD');
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

/** Audit rows, newest first, resume after an id. */
export const AUDIT_CURSOR: CursorKey = [cursorPart.int8];

export class AuditService {
  constructor(private readonly db: DataSource) {}

  /**
   * Newest first, keyset-paginated on the identity column. Developers see their own actions
   * (including failed sign-ins on their account); admins see everyone's.
   */
  async list(principal: Principal, page: Page): Promise<ConnectionData<AuditLog>> {
    const cursorId = page.cursor ? page.cursor[0] : null;
    const scoped = this.db.getRepository(AuditLog).createQueryBuilder('a');
    if (principal.role !== Role.ADMIN) scoped.where('a.actor_id = :actor', { actor: principal.developerId });

    const pageQuery = scoped.clone().orderBy('a.id', page.backward ? 'ASC' : 'DESC').limit(page.limit + 1);
    if (cursorId !== null) pageQuery.andWhere(`a.id ${pastCursor(page, 'DESC')} :cursorId`, { cursorId });
    const rows = await pageQuery.getMany();
    return toConnection(rows, page, (row) => [row.id], () => scoped.getCount());
  }
}
