import type { DataSource } from 'typeorm';
import { recordAudit } from '../audit/audit.service';
import type { Principal } from '../auth/principal';
import { isScope, SCOPES } from '../auth/scopes';
import { API_KEY_PREFIX, hashSecret, newSecret } from '../auth/tokens';
import { Role } from '../developers/role';
import { badInput, forbidden, notFound } from '../graphql/errors';
import { ApiKey } from './api-key.entity';

/** Characters of the secret kept for display: "mk_" and the first seven of the random part. */
const DISPLAY_PREFIX_LENGTH = 10;

export interface CreateApiKeyRequest {
  name: string;
  permissions: string[];
  expiresAt?: Date | null;
}

export class ApiKeyService {
  constructor(private readonly db: DataSource) {}

  /** Returns the key and its secret; the secret exists only in this return value. */
  async create(principal: Principal, request: CreateApiKeyRequest, ip: string | null): Promise<{ apiKey: ApiKey; secret: string }> {
    const permissions = [...new Set(request.permissions)];
    // Authorization first: a key cannot mint a key stronger than itself.
    const beyondCaller = permissions.filter((p) => !principal.scopes.has(p as never));
    if (principal.credential.kind === 'apiKey' && beyondCaller.length > 0) {
      throw forbidden(`This API key cannot grant permissions it lacks itself: ${beyondCaller.join(', ')}.`);
    }
    const unknown = permissions.filter((p) => !isScope(p));
    if (unknown.length > 0) {
      throw badInput('permissions', `unknown permission ${unknown.join(', ')}; use any of ${SCOPES.join(', ')}`);
    }
    if (request.expiresAt && request.expiresAt.getTime() <= Date.now()) {
      throw badInput('expiresAt', 'must be in the future');
    }

    const secret = newSecret(API_KEY_PREFIX);
    const apiKey = await this.db.transaction(async (manager) => {
      const repo = manager.getRepository(ApiKey);
      const saved = await repo.save(
        repo.create({
          developerId: principal.developerId,
          name: request.name,
          keyHash: hashSecret(secret),
          prefix: secret.slice(0, DISPLAY_PREFIX_LENGTH),
          permissions,
          expiresAt: request.expiresAt ?? null,
        }),
      );
      await recordAudit(manager, {
        actorId: principal.developerId,
        action: 'api_key.create',
        targetType: 'api_key',
        targetId: saved.id,
        metadata: { name: saved.name, permissions, expiresAt: saved.expiresAt },
        ip,
      });
      return saved;
    });
    return { apiKey, secret };
  }

  /** Revoking is final and idempotent. Another developer's key is invisible (NOT_FOUND) unless you are an admin. */
  async revoke(principal: Principal, id: string, ip: string | null): Promise<ApiKey> {
    return this.db.transaction(async (manager) => {
      const key = await manager
        .getRepository(ApiKey)
        .createQueryBuilder('k')
        .setLock('pessimistic_write')
        .where('k.id = :id', { id })
        .getOne();
      if (!key || (key.developerId !== principal.developerId && principal.role !== Role.ADMIN)) {
        throw notFound('API key');
      }
      if (!key.revokedAt) {
        key.revokedAt = new Date();
        await manager.query(`UPDATE api_keys SET revoked_at = $2 WHERE id = $1`, [id, key.revokedAt]);
      }
      await recordAudit(manager, {
        actorId: principal.developerId, action: 'api_key.revoke', targetType: 'api_key', targetId: id, ip,
      });
      return key;
    });
  }

  /** Keys of many developers in one query, oldest first: what the DataLoader batches into. */
  async listForDevelopers(developerIds: readonly string[]): Promise<ApiKey[]> {
    return this.db
      .getRepository(ApiKey)
      .createQueryBuilder('k')
      .where('k.developer_id = ANY(:ids)', { ids: developerIds })
      .orderBy('k.created_at', 'ASC')
      .addOrderBy('k.id', 'ASC')
      .getMany();
  }
}
