// Loaded before every test file (jest setupFiles): fast bcrypt, quiet logs, and no rate limits:
// every test client comes from 127.0.0.1, so the per-IP sign-up limit alone would stop most files.
// test/rate-limits*.test.ts turn them on (RATE_LIMITS=on) for the servers they start.
import 'reflect-metadata';

process.env.NODE_ENV ??= 'test';
process.env.BCRYPT_COST ??= '4';
process.env.LOG_LEVEL ??= 'silent';
process.env.RATE_LIMITS ??= 'off';
