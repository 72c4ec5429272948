import { createHash, createPublicKey, KeyObject, verify } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { recordAudit } from '../audit/audit.service';
import type { Principal } from '../auth/principal';
import { Role } from '../developers/role';
import { badInput, conflict, isUniqueViolation, notFound } from '../graphql/errors';
import { SigningKey } from './signing-key.entity';

/** Parses an Ed25519 SPKI PEM; anything else is refused naming the field. */
export function parseEd25519PublicKey(pem: string): { key: KeyObject; fingerprint: string; canonicalPem: string } {
  if (!/^-----BEGIN PUBLIC KEY-----\s[\s\S]+\s-----END PUBLIC KEY-----\s*$/.test(pem.trim() + '\n')) {
    throw badInput('publicKey', 'must be a PEM-encoded SPKI public key ("-----BEGIN PUBLIC KEY-----")');
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch {
    throw badInput('publicKey', 'is not a readable PEM public key');
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw badInput('publicKey', `must be an Ed25519 key, got ${key.asymmetricKeyType ?? 'an unknown type'}`);
  }
  const der = key.export({ type: 'spki', format: 'der' });
  return {
    key,
    fingerprint: createHash('sha256').update(der).digest('hex'),
    canonicalPem: key.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** Ed25519 verification of a base64 signature over a UTF-8 message. */
export function verifyEd25519(publicKeyPem: string, message: string, signatureBase64: string): boolean {
  const signature = Buffer.from(signatureBase64, 'base64');
  if (signature.length !== 64) return false;
  return verify(null, Buffer.from(message, 'utf8'), createPublicKey(publicKeyPem), signature);
}

export class SigningKeyService {
  constructor(private readonly db: DataSource) {}

  async register(principal: Principal, input: { name: string; publicKey: string }, ip: string | null): Promise<SigningKey> {
    const { fingerprint, canonicalPem } = parseEd25519PublicKey(input.publicKey);
    try {
      return await this.db.transaction(async (manager) => {
        const repo = manager.getRepository(SigningKey);
        const key = await repo.save(
          repo.create({ developerId: principal.developerId, name: input.name, publicKey: canonicalPem, fingerprint }),
        );
        await recordAudit(manager, {
          actorId: principal.developerId, action: 'signing_key.register', targetType: 'signing_key', targetId: key.id,
          metadata: { name: key.name, fingerprint }, ip,
        });
        return key;
      });
    } catch (error) {
      if (isUniqueViolation(error, 'idx_signing_keys_fingerprint')) {
        throw conflict('publicKey: this key is already registered', 'publicKey');
      }
      throw error;
    }
  }

  /** A deactivated key signs no new versions; versions it signed before stay valid. */
  async deactivate(principal: Principal, id: string, ip: string | null): Promise<SigningKey> {
    return this.db.transaction(async (manager) => {
      const key = await manager.getRepository(SigningKey).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!key || (key.developerId !== principal.developerId && principal.role !== Role.ADMIN)) throw notFound('Signing key');
      if (key.isActive) {
        await manager.query(`UPDATE signing_keys SET is_active = false WHERE id = $1`, [id]);
        key.isActive = false;
      }
      await recordAudit(manager, {
        actorId: principal.developerId, action: 'signing_key.deactivate', targetType: 'signing_key', targetId: id, ip,
      });
      return key;
    });
  }

  async listForDevelopers(developerIds: readonly string[]): Promise<SigningKey[]> {
    return this.db
      .getRepository(SigningKey)
      .createQueryBuilder('k')
      .where('k.developer_id = ANY(:ids)', { ids: developerIds })
      .orderBy('k.created_at', 'ASC')
      .addOrderBy('k.id', 'ASC')
      .getMany();
  }
}
