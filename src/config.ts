import path from 'node:path';

/**
 * Every setting the platform reads from the environment, parsed once.
 * The README's configuration table documents each variable; keep the two in step.
 */
export interface Config {
  nodeEnv: string;
  isProduction: boolean;
  host: string;
  port: number;
  /** Unset means "start the embedded PostgreSQL under dataDir". */
  databaseUrl: string | undefined;
  dataDir: string;
  embeddedPgPort: number;
  bcryptCost: number;
  sessionTtlHours: number;
  /** Accept only operations from the SDK's persisted-operations manifest (not enforced in development). */
  persistedOnly: boolean;
  db: {
    poolMax: number;
    idleTimeoutMs: number;
    connectionTimeoutMs: number;
    statementTimeoutMs: number;
    /**
     * What sits between us and PostgreSQL. Behind PgBouncer in transaction mode a startup
     * parameter would be refused, so the statement timeout must come from the role instead
     * (docs/OPERATIONS.md, "Connection pooling").
     */
    pooler: 'none' | 'pgbouncer';
  };
  shutdownTimeoutMs: number;
  logLevel: string;
  /** Where `backup`/`restore` look for pg_dump and pg_restore; unset searches the usual places. */
  pgBinDir: string | undefined;
  telemetry: {
    /** Raw events and per-day device sets older than this are dropped; daily rollups are kept. */
    retentionDays: number;
    /** Monthly partitions kept ready beyond the current month. */
    partitionsAhead: number;
    /** Largest accepted body on /v1/telemetry and /v1/crashes. */
    ingestMaxBytes: number;
    /** HMAC key for device ids; unset outside production means a generated key kept in dataDir. */
    deviceIdHashKey: string | undefined;
  };
  releases: {
    /** How long each step of a phased rollout (1, 2, 5, 10, 20, 50, 100%) lasts. */
    phaseIntervalSeconds: number;
    /** How often the server advances phased rollouts and checks crash-free rates for automatic halts. */
    upkeepIntervalMs: number;
  };
  webhooks: {
    /** Delay before the first retry; each further retry waits twice as long. */
    retryBaseMs: number;
    /** Attempts before a delivery is FAILED. */
    maxAttempts: number;
    /** Allow http:// and loopback/private targets (development and tests). */
    allowPrivate: boolean;
    /** A delivery attempt that has not been answered after this long counts as failed. */
    timeoutMs: number;
  };
}

function oneOf<T extends string>(name: string, fallback: T, allowed: readonly T[]): T {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!allowed.includes(raw as T)) throw new Error(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
  return raw as T;
}

function intFromEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return value;
}

export function loadConfig(): Config {
  const nodeEnv = process.env.NODE_ENV ?? 'development';
  return {
    nodeEnv,
    isProduction: nodeEnv === 'production',
    host: process.env.HOST || '127.0.0.1',
    port: intFromEnv('PORT', 4000, 0, 65535),
    databaseUrl: process.env.DATABASE_URL || undefined,
    dataDir: path.resolve(process.env.DATA_DIR || '.data'),
    embeddedPgPort: intFromEnv('EMBEDDED_PG_PORT', 54329, 1024, 65535),
    // 12 is the floor for production; tests lower it through the env to stay fast.
    bcryptCost: intFromEnv('BCRYPT_COST', 12, 4, 31),
    sessionTtlHours: intFromEnv('SESSION_TTL_HOURS', 24 * 30, 1, 24 * 365),
    persistedOnly: oneOf('PERSISTED_ONLY', 'false', ['true', 'false'] as const) === 'true',
    db: {
      poolMax: intFromEnv('DB_POOL_MAX', 10, 1, 1000),
      idleTimeoutMs: intFromEnv('DB_IDLE_TIMEOUT_MS', 30_000, 0, 3_600_000),
      connectionTimeoutMs: intFromEnv('DB_CONNECTION_TIMEOUT_MS', 5_000, 0, 600_000),
      statementTimeoutMs: intFromEnv('DB_STATEMENT_TIMEOUT_MS', 30_000, 0, 3_600_000),
      pooler: oneOf('DB_POOLER', 'none', ['none', 'pgbouncer'] as const),
    },
    shutdownTimeoutMs: intFromEnv('SHUTDOWN_TIMEOUT_MS', 25_000, 0, 30_000),
    logLevel: process.env.LOG_LEVEL || 'info',
    pgBinDir: process.env.PG_BIN_DIR || undefined,
    telemetry: {
      retentionDays: intFromEnv('TELEMETRY_RETENTION_DAYS', 90, 1, 36_500),
      partitionsAhead: intFromEnv('TELEMETRY_PARTITIONS_AHEAD', 3, 1, 24),
      ingestMaxBytes: intFromEnv('INGEST_MAX_BYTES', 10 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
      deviceIdHashKey: secretFromEnv('DEVICE_ID_HASH_KEY', 32),
    },
    releases: {
      phaseIntervalSeconds: intFromEnv('ROLLOUT_PHASE_INTERVAL_SECONDS', 86_400, 1, 365 * 86_400),
      upkeepIntervalMs: intFromEnv('RELEASE_UPKEEP_INTERVAL_MS', 15_000, 100, 60_000),
    },
    webhooks: {
      retryBaseMs: intFromEnv('WEBHOOK_RETRY_BASE_MS', 30_000, 1, 3_600_000),
      maxAttempts: intFromEnv('WEBHOOK_MAX_ATTEMPTS', 8, 5, 50),
      allowPrivate: oneOf('WEBHOOK_ALLOW_PRIVATE', 'false', ['true', 'false'] as const) === 'true',
      timeoutMs: intFromEnv('WEBHOOK_TIMEOUT_MS', 10_000, 100, 120_000),
    },
  };
}

/** A secret that must be long enough to be one; unset stays undefined. */
function secretFromEnv(name: string, minLength: number): string | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  if (raw.length < minLength) {
    throw new Error(`${name} must be at least ${minLength} characters (e.g. the output of \`openssl rand -hex 32\`)`);
  }
  return raw;
}
