import path from 'node:path';
import { z } from 'zod';

/**
 * Every setting the platform reads from the environment, declared once in `settings` below: the
 * variable's name, its schema, and its default. `loadConfig` validates them all against one zod
 * schema before anything starts and reports every bad variable in one message. `Config` is derived
 * from the same declaration, so adding a variable is one line here (plus its README row, which
 * test/config.test.ts requires).
 */

/** One environment variable. The default is the text an operator would write, parsed like theirs. */
interface Variable<T> {
  env: string;
  schema: z.ZodType<T, string>;
  /** Undefined: the setting is optional and stays undefined when the variable is unset. */
  default: string | undefined;
  /** Never echoed in error messages. */
  secret: boolean;
}

function variable<T>(env: string, schema: z.ZodType<T, string>, defaultValue: string, secret = false): Variable<T> {
  return { env, schema, default: defaultValue, secret };
}

function optional<T>(env: string, schema: z.ZodType<T, string>, secret = false): Variable<T | undefined> {
  return { env, schema, default: undefined, secret };
}

const integer = (min: number, max: number) =>
  z
    .string()
    .regex(/^-?\d+$/, { error: `must be an integer between ${min} and ${max}` })
    .transform(Number)
    .pipe(z.number().min(min, { error: `must be at least ${min}` }).max(max, { error: `must be at most ${max}` }));

const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `must be one of ${values.join(', ')}` });

const flag = () => oneOf(['true', 'false']).transform((value) => value === 'true');

const text = () => z.string();

const secretKey = (minLength: number) =>
  z.string().min(minLength, { error: `must be at least ${minLength} characters (e.g. the output of \`openssl rand -hex 32\`)` });

/** TRUST_PROXY in Fastify's forms: true/false, a hop count, or comma-separated proxy addresses/CIDRs. */
const trustProxySetting = () =>
  z.string().transform((raw, ctx): boolean | number | string => {
    const value = raw.trim();
    if (value === 'false') return false;
    if (value === 'true') return true;
    if (/^\d+$/.test(value)) return Number(value);
    const entries = value.split(',').map((entry) => entry.trim());
    const bad = entries.find((entry) => !/^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(entry) && !['loopback', 'linklocal', 'uniquelocal'].includes(entry));
    if (bad === undefined) return entries.join(',');
    ctx.addIssue({ code: 'custom', message: `must be true, false, a hop count or comma-separated proxy addresses/CIDRs; "${bad}" is none of those` });
    return z.NEVER;
  });

/** Comma-separated origins such as https://console.example.com (scheme, host, optional port; no path). */
const originList = () =>
  z.string().transform((raw, ctx) => {
    const origins = raw.split(',').map((origin) => origin.trim()).filter((origin) => origin !== '');
    for (const origin of origins) {
      if (!URL.canParse(origin) || !['http:', 'https:'].includes(new URL(origin).protocol) || new URL(origin).origin !== origin) {
        ctx.addIssue({ code: 'custom', message: `"${origin}" is not an origin like https://console.example.com (no path or trailing slash)` });
      }
    }
    return origins;
  });

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const settings = {
  nodeEnv: variable('NODE_ENV', text(), 'development'),
  host: variable('HOST', text(), '127.0.0.1'),
  port: variable('PORT', integer(0, 65535), '4000'),
  /** Unset means "start the embedded PostgreSQL under dataDir". */
  databaseUrl: optional('DATABASE_URL', text(), true),
  dataDir: variable('DATA_DIR', text().transform((dir) => path.resolve(dir)), './.data'),
  embeddedPgPort: variable('EMBEDDED_PG_PORT', integer(1024, 65535), '54329'),
  // 12 is the floor for production; tests lower it through the env to stay fast.
  bcryptCost: variable('BCRYPT_COST', integer(4, 31), '12'),
  sessionTtlHours: variable('SESSION_TTL_HOURS', integer(1, 24 * 365), '720'),
  /** Accept only operations from the SDK's persisted-operations manifest (not enforced in development). */
  persistedOnly: variable('PERSISTED_ONLY', flag(), 'false'),
  db: {
    poolMax: variable('DB_POOL_MAX', integer(1, 1000), '10'),
    idleTimeoutMs: variable('DB_IDLE_TIMEOUT_MS', integer(0, 3_600_000), '30000'),
    connectionTimeoutMs: variable('DB_CONNECTION_TIMEOUT_MS', integer(0, 600_000), '5000'),
    statementTimeoutMs: variable('DB_STATEMENT_TIMEOUT_MS', integer(0, 3_600_000), '30000'),
    /**
     * What sits between us and PostgreSQL. Behind PgBouncer in transaction mode a startup
     * parameter would be refused, so the statement timeout must come from the role instead
     * (docs/OPERATIONS.md, "Connection pooling").
     */
    pooler: variable('DB_POOLER', oneOf(['none', 'pgbouncer']), 'none'),
  },
  shutdownTimeoutMs: variable('SHUTDOWN_TIMEOUT_MS', integer(0, 30_000), '25000'),
  logLevel: variable('LOG_LEVEL', oneOf(LOG_LEVELS), 'info'),
  /** Where `backup`/`restore` look for pg_dump and pg_restore; unset searches the usual places. */
  pgBinDir: optional('PG_BIN_DIR', text()),
  /**
   * Whose X-Forwarded-For to believe for the client address (audit log, rate limits): nobody by
   * default; `true` only behind a proxy that overwrites the header, else clients choose their IP.
   */
  trustProxy: variable('TRUST_PROXY', trustProxySetting(), 'false'),
  telemetry: {
    /** Raw events and per-day device sets older than this are dropped; daily rollups are kept. */
    retentionDays: variable('TELEMETRY_RETENTION_DAYS', integer(1, 36_500), '90'),
    /** Monthly partitions kept ready beyond the current month. */
    partitionsAhead: variable('TELEMETRY_PARTITIONS_AHEAD', integer(1, 24), '3'),
    /** Largest accepted body on /v1/telemetry and /v1/crashes. */
    ingestMaxBytes: variable('INGEST_MAX_BYTES', integer(1024, 1024 * 1024 * 1024), '10485760'),
    /** HMAC key for device ids; unset outside production means a generated key kept in dataDir. */
    deviceIdHashKey: optional('DEVICE_ID_HASH_KEY', secretKey(32), true),
    /** Device keys each device set's memo holds before it starts over (see StoredDeviceKeys). */
    deviceMemoKeys: variable('TELEMETRY_DEVICE_MEMO_KEYS', integer(1, 10_000_000), '500000'),
  },
  releases: {
    /** How long each step of a phased rollout (1, 2, 5, 10, 20, 50, 100%) lasts. */
    phaseIntervalSeconds: variable('ROLLOUT_PHASE_INTERVAL_SECONDS', integer(1, 365 * 86_400), '86400'),
    /** How often the server steps phased rollouts and checks crash-free rates for automatic halts. */
    upkeepIntervalMs: variable('RELEASE_UPKEEP_INTERVAL_MS', integer(100, 60_000), '15000'),
  },
  webhooks: {
    /** Delay before the first retry; each further retry waits twice as long. */
    retryBaseMs: variable('WEBHOOK_RETRY_BASE_MS', integer(1, 3_600_000), '30000'),
    /** Attempts before a delivery is FAILED. */
    maxAttempts: variable('WEBHOOK_MAX_ATTEMPTS', integer(5, 50), '8'),
    /** Allow http:// and loopback/private targets (development and tests). */
    allowPrivate: variable('WEBHOOK_ALLOW_PRIVATE', flag(), 'false'),
    /** A delivery attempt that has not been answered after this long counts as failed. */
    timeoutMs: variable('WEBHOOK_TIMEOUT_MS', integer(100, 120_000), '10000'),
  },
  /** src/rate-limits/rate-limits.ts; the sign-in and sign-up limits are the contract's and fixed. */
  rateLimits: {
    /** RATE_LIMITS=off turns every limit off (benchmarks, load tests). */
    enabled: variable('RATE_LIMITS', oneOf(['on', 'off']).transform((value) => value === 'on'), 'on'),
    /** Unset keeps the counters in this process; set, they live in Redis and every process shares them. */
    redisUrl: optional('REDIS_URL', z.string().regex(/^rediss?:\/\//, { error: 'must be a redis:// or rediss:// URL' }), true),
    /** Prepended to every Redis key, so deployments (or test runs) sharing one Redis keep apart. */
    redisKeyPrefix: variable('REDIS_KEY_PREFIX', text(), 'mosis:rl:'),
    graphqlPerMinute: variable('RATE_LIMIT_GRAPHQL_PER_MINUTE', integer(1, 1_000_000), '600'),
    ingestBatchesPerMinute: variable('RATE_LIMIT_INGEST_PER_MINUTE', integer(1, 1_000_000), '600'),
  },
  /** src/http/security.ts and the Fastify/Apollo options in src/http/server.ts. */
  security: {
    /** Origins allowed to call the API from a browser; none by default. */
    corsOrigins: optional('CORS_ORIGINS', originList()),
    /** Introspection and "Did you mean" suggestions; unset: off in production, on elsewhere (graphqlIntrospection). */
    introspection: optional('GRAPHQL_INTROSPECTION', flag()),
    /** A request body gets this long to arrive, plus one second for every bodyMinBytesPerSecond received. */
    bodyTimeoutMs: variable('REQUEST_BODY_TIMEOUT_MS', integer(100, 600_000), '10000'),
    bodyMinBytesPerSecond: variable('REQUEST_BODY_MIN_BYTES_PER_SECOND', integer(1, 1024 * 1024 * 1024), '10240'),
  },
  /** What one GraphQL operation may ask for (src/graphql/query-limits.ts). */
  limits: {
    maxDepth: variable('QUERY_MAX_DEPTH', integer(2, 100), '15'),
    maxCost: variable('QUERY_MAX_COST', integer(1, 100_000_000), '100000'),
    maxAliases: variable('QUERY_MAX_ALIASES', integer(0, 10_000), '30'),
    maxRootFields: variable('QUERY_MAX_ROOT_FIELDS', integer(1, 10_000), '20'),
    maxTokens: variable('QUERY_MAX_TOKENS', integer(100, 1_000_000), '2000'),
    maxDirectives: variable('QUERY_MAX_DIRECTIVES', integer(0, 10_000), '20'),
  },
};

type Settings = { [key: string]: Variable<unknown> | Settings };
type Parsed<S> = S extends Variable<infer T> ? T : { [K in keyof S]: Parsed<S[K]> };

export type Config = Parsed<typeof settings> & { isProduction: boolean };

function isVariable(node: Variable<unknown> | Settings): node is Variable<unknown> {
  return typeof (node as Variable<unknown>).env === 'string' && 'schema' in node;
}

function variablesOf(node: Settings): Variable<unknown>[] {
  return Object.values(node).flatMap((child) => (isVariable(child) ? [child] : variablesOf(child)));
}

/** Every variable the platform reads, in declaration order: what the README's table must list. */
export const CONFIG_VARIABLES: readonly Pick<Variable<unknown>, 'env' | 'default' | 'secret'>[] = variablesOf(settings);

/** The one schema: an object keyed by variable name, so each problem names its variable. */
export const envSchema = z.object(
  Object.fromEntries(
    variablesOf(settings).map((v) => [v.env, v.default === undefined ? v.schema.optional() : v.schema]),
  ),
);

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration (fix the environment and start again):\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function assemble(node: Settings, values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(node).map(([key, child]) => [key, isVariable(child) ? values[child.env] : assemble(child, values)]),
  );
}

/**
 * Reads and validates the environment. An empty variable counts as unset. Throws a ConfigError
 * naming every bad variable (with its value, unless secret) before the caller starts anything.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const variables = variablesOf(settings);
  const input: Record<string, string | undefined> = {};
  for (const v of variables) {
    const raw = env[v.env];
    input[v.env] = raw === undefined || raw === '' ? v.default : raw;
  }
  const result = envSchema.safeParse(input);
  if (!result.success) {
    const secret = new Set(variables.filter((v) => v.secret).map((v) => v.env));
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const name = String(issue.path[0]);
        const shown = secret.has(name) ? '(value hidden)' : JSON.stringify(input[name]);
        return `${name}=${shown}: ${issue.message}`;
      }),
    );
  }
  const config = assemble(settings, result.data) as Omit<Config, 'isProduction'>;
  return { ...config, isProduction: config.nodeEnv === 'production' };
}

/** Introspection and schema hints in errors: GRAPHQL_INTROSPECTION when set, else everywhere but production. */
export function graphqlIntrospection(config: Config): boolean {
  return config.security.introspection ?? !config.isProduction;
}
