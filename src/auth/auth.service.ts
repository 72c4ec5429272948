import bcrypt from 'bcrypt';
import type { DataSource, EntityManager } from 'typeorm';
import { auditSafeText, recordAudit } from '../audit/audit.service';
import { Developer } from '../developers/developer.entity';
import { Role } from '../developers/role';
import type { ReadQueries } from '../db/reads';
import { conflict, isUniqueViolation, unauthenticated } from '../graphql/errors';
import { stringProblem } from '../graphql/input-rules';
import type { RateLimits } from '../rate-limits/rate-limits';
import type { Principal } from './principal';
import { isScope, SCOPES, type Scope } from './scopes';
import { API_KEY_PREFIX, hashSecret, newSecret, sameDigest, SESSION_TOKEN_PREFIX } from './tokens';

export interface AuthResult {
  token: string;
  developer: Developer;
  /** The new session as a principal, so the rest of this request sees the caller as signed in. */
  principal: Principal;
}

/** Writes to `api_keys.last_used_at` at most this often per key, not on every request. */
const LAST_USED_RESOLUTION_MS = 60_000;

export class AuthService {
  /** Compared against when the email is unknown, so a miss costs the same time as a wrong password. */
  private readonly decoyHash: Promise<string>;

  constructor(
    private readonly db: DataSource,
    private readonly reads: ReadQueries,
    private readonly rateLimits: RateLimits,
    private readonly options: { bcryptCost: number; sessionTtlHours: number },
  ) {
    this.decoyHash = bcrypt.hash('decoy password for timing', options.bcryptCost);
  }

  async signUp(input: { email: string; name: string; password: string }, ip: string | null): Promise<AuthResult> {
    await this.rateLimits.countSignUp(ip);
    const passwordHash = await bcrypt.hash(input.password, this.options.bcryptCost);
    try {
      return await this.db.transaction(async (manager) => {
        const developer = await manager.getRepository(Developer).save(
          manager.getRepository(Developer).create({ email: input.email, name: input.name, passwordHash }),
        );
        const session = await this.openSession(manager, developer, ip);
        await recordAudit(manager, {
          actorId: developer.id, action: 'developer.sign_up', targetType: 'developer', targetId: developer.id, ip,
        });
        return { ...session, developer };
      });
    } catch (error) {
      if (isUniqueViolation(error, 'idx_developers_email')) {
        throw conflict('email: an account with this email already exists', 'email');
      }
      throw error;
    }
  }

  /**
   * Every attempt is audited, even one refused for its input (too long, NUL, broken Unicode); a
   * failure says only that the pair did not match. Once an email has failed too often from one
   * address, attempts from there are refused before any password check.
   */
  async signIn(email: string, password: string, ip: string | null): Promise<AuthResult> {
    const refusal = stringProblem('email', email) ?? stringProblem('password', password);
    if (refusal) {
      await this.auditFailedSignIn(null, email, ip);
      throw refusal;
    }
    try {
      await this.rateLimits.countSignInAttempt(email, ip);
    } catch (error) {
      await this.auditFailedSignIn(null, email, ip, 'rate_limited');
      throw error;
    }
    const developer = await this.db
      .getRepository(Developer)
      .createQueryBuilder('d')
      .where('lower(d.email) = lower(:email)', { email: email.trim() })
      .getOne();
    const matches = await bcrypt.compare(password, developer?.passwordHash ?? (await this.decoyHash));
    if (!developer || !developer.passwordHash || !matches) {
      await this.auditFailedSignIn(developer?.id ?? null, email, ip);
      throw unauthenticated('Email or password is incorrect.');
    }
    const session = await this.db.transaction(async (manager) => {
      const session = await this.openSession(manager, developer, ip);
      await recordAudit(manager, {
        actorId: developer.id, action: 'developer.sign_in', targetType: 'developer', targetId: developer.id, ip,
      });
      return session;
    });
    await this.rateLimits.forgiveSignIn(email, ip);
    return { ...session, developer };
  }

  private auditFailedSignIn(developerId: string | null, typedEmail: string, ip: string | null, reason?: 'rate_limited'): Promise<void> {
    return recordAudit(this.db.manager, {
      actorId: developerId,
      action: 'developer.sign_in_failed',
      targetType: 'developer',
      targetId: developerId ?? undefined,
      metadata: { email: auditSafeText(typedEmail.trim().toLowerCase()), ...(reason && { reason }) },
      ip,
    });
  }

  async signOut(principal: Principal, ip: string | null): Promise<boolean> {
    if (principal.credential.kind !== 'session') return false;
    const { sessionId } = principal.credential;
    await this.db.transaction(async (manager) => {
      await manager.query(`UPDATE sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL`, [sessionId]);
      await recordAudit(manager, {
        actorId: principal.developerId, action: 'developer.sign_out', targetType: 'session', targetId: sessionId, ip,
      });
    });
    return true;
  }

  /**
   * Resolves a bearer token to its principal: one indexed query, joined to the developer so the
   * current role applies. No token means anonymous; a token that does not check out is an error.
   */
  async authenticate(authorization: string | undefined): Promise<Principal | null> {
    if (authorization === undefined || authorization === '') return null;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) throw unauthenticated('The Authorization header must be "Bearer <token>".');
    const token = match[1];
    if (token.startsWith(API_KEY_PREFIX)) return this.authenticateApiKey(token);
    if (token.startsWith(SESSION_TOKEN_PREFIX)) return this.authenticateSession(token);
    throw unauthenticated('The bearer token is not a Mosis session token or API key.');
  }

  private async authenticateSession(token: string): Promise<Principal> {
    const tokenHash = hashSecret(token);
    const [row] = await this.reads.rows<{ id: string; token_hash: string; developer_id: string; role: string }>(
      `SELECT s.id, s.token_hash, d.id AS developer_id, d.role
         FROM sessions s JOIN developers d ON d.id = s.developer_id
        WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now()`,
      [tokenHash],
    );
    if (!row || !sameDigest(row.token_hash, tokenHash)) {
      throw unauthenticated('The session is unknown, expired or signed out. Sign in again.');
    }
    return this.sessionPrincipal(row.id, row.developer_id, row.role as Role);
  }

  private async authenticateApiKey(secret: string): Promise<Principal> {
    const keyHash = hashSecret(secret);
    const [row] = await this.reads.rows<{
      id: string; key_hash: string; permissions: string[]; last_used_at: Date | null; developer_id: string; role: string;
    }>(
      `SELECT k.id, k.key_hash, k.permissions, k.last_used_at, d.id AS developer_id, d.role
         FROM api_keys k JOIN developers d ON d.id = k.developer_id
        WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())`,
      [keyHash],
    );
    if (!row || !sameDigest(row.key_hash, keyHash)) {
      throw unauthenticated('The API key is unknown, expired or revoked.');
    }
    this.touchApiKey(row.id, row.last_used_at);
    return {
      developerId: row.developer_id,
      role: row.role as Role,
      scopes: new Set(row.permissions.filter(isScope) as Scope[]),
      credential: { kind: 'apiKey', apiKeyId: row.id },
    };
  }

  /** Fire-and-forget: a failed timestamp write must not fail the request it rides on. */
  private touchApiKey(id: string, lastUsedAt: Date | null): void {
    if (lastUsedAt && Date.now() - lastUsedAt.getTime() < LAST_USED_RESOLUTION_MS) return;
    this.db
      .query(
        `UPDATE api_keys SET last_used_at = now()
          WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - make_interval(secs => $2))`,
        [id, LAST_USED_RESOLUTION_MS / 1000],
      )
      .catch(() => undefined);
  }

  private async openSession(
    manager: EntityManager,
    developer: Developer,
    ip: string | null,
  ): Promise<{ token: string; principal: Principal }> {
    const token = newSecret(SESSION_TOKEN_PREFIX);
    const [{ id }] = await manager.query(
      `INSERT INTO sessions (developer_id, token_hash, expires_at, ip)
       VALUES ($1, $2, now() + make_interval(hours => $3), $4) RETURNING id`,
      [developer.id, hashSecret(token), this.options.sessionTtlHours, ip],
    );
    return { token, principal: this.sessionPrincipal(id, developer.id, developer.role) };
  }

  private sessionPrincipal(sessionId: string, developerId: string, role: Role): Principal {
    return { developerId, role, scopes: new Set(SCOPES), credential: { kind: 'session', sessionId } };
  }
}
