import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from '../src/config';
import { freePort, ROOT, spawnNode } from './helpers/processes';

/** The README's configuration table as {variable: default}, `unset` meaning no default. */
function readmeConfigurationTable(): Map<string, string | undefined> {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = /^## Configuration\n([\s\S]*?)(?=^## )/m.exec(readme)?.[1] ?? '';
  const rows = new Map<string, string | undefined>();
  for (const [, name, defaultCell] of section.matchAll(/^\| `([A-Z0-9_]+)` \| ([^|]+) \|/gm)) {
    const cell = defaultCell.trim();
    rows.set(name, cell === 'unset' ? undefined : /^`(.*)`$/.exec(cell)?.[1] ?? `(not code: ${cell})`);
  }
  return rows;
}

const problemsOf = (env: NodeJS.ProcessEnv): string[] => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('the README configuration table', () => {
  const documented = readmeConfigurationTable();

  it('documents every variable the schema reads, and nothing else', () => {
    expect([...documented.keys()].sort()).toEqual(CONFIG_VARIABLES.map((v) => v.env).sort());
  });

  it('states the schema default of each', () => {
    for (const variable of CONFIG_VARIABLES) {
      const unset = variable.default === undefined || variable.default === ''; // an empty variable counts as unset
      expect({ [variable.env]: documented.get(variable.env) }).toEqual({ [variable.env]: unset ? undefined : variable.default });
    }
  });
});

describe('validation', () => {
  it('an empty environment gives the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ nodeEnv: 'development', isProduction: false, port: 4000, logLevel: 'info', persistedOnly: false });
    expect(config.dataDir).toBe(path.resolve('.data'));
    expect(config.db).toEqual({ poolMax: 10, idleTimeoutMs: 30_000, connectionTimeoutMs: 5_000, statementTimeoutMs: 30_000, pooler: 'none' });
    expect(config.databaseUrl).toBeUndefined();
  });

  it('parses what is set, and treats an empty variable as unset', () => {
    const config = loadConfig({ PORT: '8080', NODE_ENV: 'production', DB_POOLER: 'pgbouncer', TRUST_PROXY: 'true', HOST: '' });
    expect(config).toMatchObject({ port: 8080, isProduction: true, trustProxy: true, host: '127.0.0.1' });
    expect(config.db.pooler).toBe('pgbouncer');
  });

  it('lists every bad variable in one error, naming each with its value and the rule', () => {
    expect(problemsOf({ LOG_LEVEL: 'verbose', PORT: '80a', DB_POOL_MAX: '0', PERSISTED_ONLY: 'yes', BCRYPT_COST: '4.5' })).toEqual([
      'PORT="80a": must be an integer between 0 and 65535',
      'BCRYPT_COST="4.5": must be an integer between 4 and 31',
      'PERSISTED_ONLY="yes": must be one of true, false',
      'DB_POOL_MAX="0": must be at least 1',
      'LOG_LEVEL="verbose": must be one of fatal, error, warn, info, debug, trace, silent',
    ]);
  });

  it('refuses a device-key memo of no keys, a fraction or more than ten million', () => {
    for (const value of ['0', '2.5', '10000001']) {
      expect(problemsOf({ TELEMETRY_DEVICE_MEMO_KEYS: value })).toEqual([expect.stringMatching(new RegExp(`^TELEMETRY_DEVICE_MEMO_KEYS="${value.replace('.', '\\.')}": must be`))]);
    }
    expect(loadConfig({ TELEMETRY_DEVICE_MEMO_KEYS: '40' }).telemetry.deviceMemoKeys).toBe(40);
  });

  it('never echoes a secret', () => {
    const problems = problemsOf({ DEVICE_ID_HASH_KEY: 'short-secret-value' });
    expect(problems).toEqual([expect.stringMatching(/^DEVICE_ID_HASH_KEY=\(value hidden\): must be at least 32 characters/)]);
    expect(problems.join()).not.toContain('short-secret-value');
  });
});

it('npm start refuses a bad LOG_LEVEL before it starts PostgreSQL, with one message for all bad variables', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mosis-config-'));
  try {
    const server = spawnNode('dist/src/main.js', [], {
      DATABASE_URL: undefined,
      DATA_DIR: dataDir,
      PORT: String(await freePort()),
      LOG_LEVEL: 'verbose',
      SHUTDOWN_TIMEOUT_MS: 'soon',
    });
    const exit = await server.exited;
    expect(exit.code).not.toBe(0);
    expect(server.output()).toContain('LOG_LEVEL="verbose": must be one of fatal, error, warn, info, debug, trace, silent');
    expect(server.output()).toContain('SHUTDOWN_TIMEOUT_MS="soon"');
    expect(server.output()).not.toMatch(/\n\s+at /); // an operator's mistake, not a crash: no stack trace
    expect(fs.readdirSync(dataDir)).toEqual([]); // nothing was created, PostgreSQL never started
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
