import { createHash } from 'node:crypto';
import Redis from 'ioredis';
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Principal } from '../auth/principal';
import type { Config } from '../config';
import { rateLimited } from '../graphql/errors';

/** The contract's fixed limits; the per-minute ones come from the configuration. */
export const SIGN_IN_FAILURES = { points: 10, duration: 15 * 60 };
export const SIGN_UPS_PER_IP = { points: 20, duration: 60 * 60 };

/** How long startup waits for Redis before refusing to start. */
const REDIS_CONNECT_TIMEOUT_MS = 10_000;

type Limiter = RateLimiterAbstract;

/**
 * Every rate limit of the API, counted in fixed windows by rate-limiter-flexible: in this process,
 * or in Redis when REDIS_URL is set so that every server process shares the counters. Should Redis
 * fail later on, each process falls back to counting in its own memory (the library's insurance
 * limiter) rather than refusing or waving through every request.
 */
export class RateLimits {
  private readonly redis: Redis | undefined;
  private readonly signInFailures: Limiter | undefined;
  private readonly signUps: Limiter | undefined;
  private readonly graphqlRequests: Limiter | undefined;
  private readonly ingestBatches: Limiter | undefined;

  constructor(private readonly config: Config['rateLimits']) {
    if (!config.enabled) return;
    if (config.redisUrl) {
      // No offline queue: while Redis is unreachable a command fails at once (and the insurance
      // limiter answers) instead of holding the request until Redis comes back.
      this.redis = new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true });
      this.redis.on('error', () => undefined); // reported through ready() and onStoreTrouble()
    }
    this.signInFailures = this.limiter('signin', SIGN_IN_FAILURES);
    this.signUps = this.limiter('signup', SIGN_UPS_PER_IP);
    this.graphqlRequests = this.limiter('graphql', { points: config.graphqlPerMinute, duration: 60 });
    this.ingestBatches = this.limiter('ingest', { points: config.ingestBatchesPerMinute, duration: 60 });
  }

  private limiter(name: string, window: { points: number; duration: number }): Limiter {
    const keyPrefix = `${this.config.redisKeyPrefix}${name}`;
    const memory = new RateLimiterMemory({ ...window, keyPrefix });
    if (!this.redis) return memory;
    return new RateLimiterRedis({ ...window, keyPrefix, storeClient: this.redis, insuranceLimiter: memory });
  }

  /** Connects to Redis when configured; startup fails here rather than running with limits nobody shares. */
  async ready(): Promise<void> {
    if (!this.redis) return;
    const redis = this.redis;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis at REDIS_URL did not answer within ${REDIS_CONNECT_TIMEOUT_MS / 1000} s`)), REDIS_CONNECT_TIMEOUT_MS);
    });
    try {
      await Promise.race([redis.connect(), timeout]);
    } catch (error) {
      redis.disconnect();
      throw new Error(`cannot use REDIS_URL for the rate limits: ${(error as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Calls `warn` once each time the Redis connection is lost (counting falls back to memory meanwhile). */
  onStoreTrouble(warn: (message: string) => void): void {
    if (!this.redis) return;
    let reported = false;
    this.redis.on('error', (error: Error) => {
      if (reported) return;
      reported = true;
      warn(`rate-limit store (Redis) unavailable, counting in memory until it is back: ${error.message}`);
    });
    this.redis.on('ready', () => (reported = false));
  }

  async close(): Promise<void> {
    if (this.redis && this.redis.status !== 'end') await this.redis.quit().catch(() => this.redis!.disconnect());
  }

  /**
   * Counts a sign-in attempt for this email from this IP before the password is checked, so
   * concurrent guesses cannot slip past the limit; `forgiveSignIn` takes it back when it succeeds.
   */
  async countSignInAttempt(email: string, ip: string | null): Promise<void> {
    await take(this.signInFailures, signInKey(email, ip),
      'Too many failed sign-ins for this email from your address: signing in is locked for now.');
  }

  async forgiveSignIn(email: string, ip: string | null): Promise<void> {
    await this.signInFailures?.reward(signInKey(email, ip));
  }

  async countSignUp(ip: string | null): Promise<void> {
    await take(this.signUps, ip ?? 'unknown', `At most ${SIGN_UPS_PER_IP.points} sign-ups an hour come from one address.`);
  }

  /** Per credential; anonymous requests (and those whose credential fails) count against their IP. */
  async countGraphQLRequest(principal: Principal | null, ip: string | null): Promise<void> {
    await take(this.graphqlRequests, principal ? credentialKey(principal) : `ip:${ip ?? 'unknown'}`,
      `At most ${this.config.graphqlPerMinute} GraphQL requests a minute are served per credential (per address when anonymous).`);
  }

  async countIngestBatch(principal: Principal): Promise<void> {
    await take(this.ingestBatches, credentialKey(principal),
      `At most ${this.config.ingestBatchesPerMinute} ingestion batches a minute are accepted per API key.`);
  }
}

async function take(limiter: Limiter | undefined, key: string, message: string): Promise<void> {
  if (!limiter) return;
  try {
    await limiter.consume(key);
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) throw rateLimited(message, rejection.msBeforeNext);
    throw rejection;
  }
}

function credentialKey(principal: Principal): string {
  const { credential } = principal;
  return credential.kind === 'apiKey' ? `key:${credential.apiKeyId}` : `session:${credential.sessionId}`;
}

/** Hashed: bounded length whatever was typed, and no emails in Redis. */
function signInKey(email: string, ip: string | null): string {
  return createHash('sha256').update(`${email.trim().toLowerCase()}\n${ip ?? 'unknown'}`).digest('hex');
}
