import bcrypt from 'bcrypt';
import type { DataSource, EntityManager } from 'typeorm';
import { auditSafeText, recordAudit } from '../audit/audit.service';
import { Developer } from '../developers/developer.entity';
import { Role } from '../developers/role';
import type { ReadQueries } from '../db/reads';
import { conflict, isUniqueViolation, unauthenticated } from '../graphql/errors';
import { stringProblem } from '../graphql/input-rules';
import type { RateLimits } from '../rate-limits/rate-limits';
import { API_KEY_STATE, CredentialCheck, SESSION_STATE } from './credential-check';
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
/** Credentials remembered per process; past this the oldest is forgotten (it costs one lookup when next used). */
const CREDENTIAL_CACHE_SIZE = 10_000;

/** What a token resolved to, kept so its next request needs no lookup statement (see CredentialCheck). */
interface CachedCredential {
  principal: Principal;
  /** The credential's state (API_KEY_STATE / SESSION_STATE) when it was read. */
  state: string;
  expiresAt: number | null;
  lastUsedAt: number | null;
}

interface Bearer {
  kind: 'apiKey' | 'session';
  hash: string;
}

function parseBearer(authorization: string | undefined): Bearer | null {
  if (authorization === undefined || authorization === '') return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!match) throw unauthenticated('The Authorization header must be "Bearer <token>".');
  const token = match[1];
  if (token.startsWith(API_KEY_PREFIX)) return { kind: 'apiKey', hash: hashSecret(token) };
  if (token.startsWith(SESSION_TOKEN_PREFIX)) return { kind: 'session', hash: hashSecret(token) };
  throw unauthenticated('The bearer token is not a Mosis session token or API key.');
}

export class AuthService {
  /** Compared against when the email is unknown, so a miss costs the same time as a wrong password. */
  private readonly decoyHash: Promise<string>;
  /** By token hash. Insertion order is age: the first key is the oldest. */
  private readonly cache = new Map<string, CachedCredential>();

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
    const bearer = parseBearer(authorization);
    return bearer && this.lookUp(bearer);
  }

  /**
   * As `authenticate`, but a token seen recently resolves from memory, with `principal.check` set:
   * the request must then re-read the credential (see CredentialCheck) before it answers.
   */
  async authenticateCached(authorization: string | undefined): Promise<Principal | null> {
    const bearer = parseBearer(authorization);
    if (!bearer) return null;
    const cached = this.cache.get(bearer.hash);
    if (!cached || (cached.expiresAt !== null && cached.expiresAt <= Date.now())) return this.lookUp(bearer);
    this.touchApiKey(cached);
    const { credential } = cached.principal;
    const id = credential.kind === 'apiKey' ? credential.apiKeyId : credential.sessionId;
    return { ...cached.principal, check: new CredentialCheck(credential.kind, id, cached.state) };
  }

  /** Settles a cached principal's check with a statement of its own if no read has yet; true if the credential is unchanged. */
  async confirm(check: CredentialCheck): Promise<boolean> {
    if (check.status === 'unchecked') {
      const params: unknown[] = [];
      const [row] = await this.reads.rows<{ state: string | null }>(`SELECT ${check.stateSql(params)} AS state`, params);
      check.record(row.state);
    }
    return check.status === 'current';
  }

  private async lookUp(bearer: Bearer): Promise<Principal> {
    this.cache.delete(bearer.hash);
    const resolved = bearer.kind === 'apiKey' ? await this.lookUpApiKey(bearer.hash) : await this.lookUpSession(bearer.hash);
    if (this.cache.size >= CREDENTIAL_CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(bearer.hash, resolved);
    return resolved.principal;
  }

  private async lookUpSession(tokenHash: string): Promise<CachedCredential> {
    const [row] = await this.reads.rows<{ id: string; token_hash: string; developer_id: string; role: string; expires_at: Date; state: string }>(
      `SELECT s.id, s.token_hash, d.id AS developer_id, d.role, s.expires_at, ${SESSION_STATE('s', 'd')} AS state
         FROM sessions s JOIN developers d ON d.id = s.developer_id
        WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now()`,
      [tokenHash],
    );
    if (!row || !sameDigest(row.token_hash, tokenHash)) {
      throw unauthenticated('The session is unknown, expired or signed out. Sign in again.');
    }
    const principal = this.sessionPrincipal(row.id, row.developer_id, row.role as Role);
    return { principal, state: row.state, expiresAt: row.expires_at.getTime(), lastUsedAt: null };
  }

  private async lookUpApiKey(keyHash: string): Promise<CachedCredential> {
    const [row] = await this.reads.rows<{
      id: string; key_hash: string; permissions: string[]; last_used_at: Date | null; expires_at: Date | null;
      developer_id: string; role: string; state: string;
    }>(
      `SELECT k.id, k.key_hash, k.permissions, k.last_used_at, k.expires_at, d.id AS developer_id, d.role, ${API_KEY_STATE('k', 'd')} AS state
         FROM api_keys k JOIN developers d ON d.id = k.developer_id
        WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())`,
      [keyHash],
    );
    if (!row || !sameDigest(row.key_hash, keyHash)) {
      throw unauthenticated('The API key is unknown, expired or revoked.');
    }
    const credential: CachedCredential = {
      principal: {
        developerId: row.developer_id,
        role: row.role as Role,
        scopes: new Set(row.permissions.filter(isScope) as Scope[]),
        credential: { kind: 'apiKey', apiKeyId: row.id },
      },
      state: row.state,
      expiresAt: row.expires_at?.getTime() ?? null,
      lastUsedAt: row.last_used_at?.getTime() ?? null,
    };
    this.touchApiKey(credential);
    return credential;
  }

  /**
   * An API key's lastUsedAt, written at most once a minute per key and process (sessions have none).
   * Fire-and-forget: a failed timestamp write must not fail the request it rides on.
   */
  private touchApiKey(credential: CachedCredential): void {
    const key = credential.principal.credential;
    const now = Date.now();
    if (key.kind !== 'apiKey' || (credential.lastUsedAt !== null && now - credential.lastUsedAt < LAST_USED_RESOLUTION_MS)) return;
    credential.lastUsedAt = now;
    this.db
      .query(
        `UPDATE api_keys SET last_used_at = now()
          WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - make_interval(secs => $2))`,
        [key.apiKeyId, LAST_USED_RESOLUTION_MS / 1000],
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
