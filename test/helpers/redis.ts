import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './processes';

/** Is Debian's redis-server there for scripts/redis.sh to start? */
function redisServerInstalled(): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v redis-server'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * `describe` for tests that need a real Redis: MOSIS_TEST_REDIS_URL (.ci/run starts one), else one
 * that scripts/redis.sh starts for the file. Without redis-server they are skipped, loudly, on a
 * developer machine only: under CI they run, and fail if Redis is missing.
 */
export function describeWithRedis(name: string, body: () => void): void {
  if (process.env.MOSIS_TEST_REDIS_URL || redisServerInstalled() || process.env.CI) {
    describe(name, body);
    return;
  }
  console.warn(
    `\n!!! SKIPPING REDIS TESTS "${name}": redis-server not found.\n` +
      '!!! Install it (apt-get install --no-install-recommends redis-server) to run them; under CI=true they never skip.\n',
  );
  describe.skip(name, body);
}

export interface TestRedis {
  url: string;
  stop(): Promise<void>;
}

/** The Redis of this test file; stop() stops it only if this file started it. */
export async function startTestRedis(): Promise<TestRedis> {
  const shared = process.env.MOSIS_TEST_REDIS_URL;
  if (shared) return { url: shared, stop: async () => undefined };
  const dir = path.join(os.tmpdir(), `mosis-redis-${randomBytes(4).toString('hex')}`);
  const script = path.join(ROOT, 'scripts', 'redis.sh');
  const url = execFileSync(script, ['start', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  return { url, stop: async () => void execFileSync(script, ['stop', dir], { stdio: 'ignore' }) };
}

/** Rate-limit settings for servers that share counters in this Redis, kept apart from every other test's keys. */
export function redisRateLimitEnv(redis: TestRedis): Record<string, string> {
  return { RATE_LIMITS: 'on', REDIS_URL: redis.url, REDIS_KEY_PREFIX: `test-${randomBytes(6).toString('hex')}:` };
}
