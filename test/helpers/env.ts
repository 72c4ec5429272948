// Loaded before every test file (jest setupFiles): fast bcrypt, quiet logs.
import 'reflect-metadata';

process.env.NODE_ENV ??= 'test';
process.env.BCRYPT_COST ??= '4';
process.env.LOG_LEVEL ??= 'silent';
