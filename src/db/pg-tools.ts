import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { DataSource } from 'typeorm';

/**
 * PostgreSQL's own client programs (pg_dump, pg_restore) for `npx mosis backup` / `restore`.
 * The embedded server's bundle has no client tools, so they come from the operating system.
 */
export type PgTool = 'pg_dump' | 'pg_restore';

export interface FoundTool {
  tool: PgTool;
  path: string;
  /** e.g. "15.18" */
  version: string;
  major: number;
}

const run = promisify(execFile);

/** Debian/Ubuntu keep one directory per major version here; /usr/bin/pg_dump is a wrapper over them. */
const DEBIAN_PG_ROOT = '/usr/lib/postgresql';

export interface ServerVersion {
  /** e.g. "15.18" */
  version: string;
  major: number;
}

export async function serverVersion(db: DataSource): Promise<ServerVersion> {
  const [row] = await db.query(
    `SELECT current_setting('server_version') AS version, current_setting('server_version_num')::int AS num`,
  );
  return { version: String(row.version).split(' ')[0], major: Math.floor(row.num / 10_000) };
}

/** What to tell an operator whose machine lacks a suitable tool. */
export function installHint(major: number): string {
  return (
    `Install PostgreSQL ${major}'s client tools: \`apt-get install postgresql-client-${major}\` on Debian/Ubuntu ` +
    `(add the apt.postgresql.org repository if your release lacks that version), ` +
    `\`brew install postgresql@${major}\` on macOS; or set PG_BIN_DIR to a directory holding them.`
  );
}

function candidates(tool: PgTool, wantedMajor: number, pgBinDir: string | undefined): string[] {
  // An explicit directory is the only place looked at, so an operator always knows which binary ran.
  if (pgBinDir) return [path.join(pgBinDir, tool)];
  const debianMajors = (fs.existsSync(DEBIAN_PG_ROOT) ? fs.readdirSync(DEBIAN_PG_ROOT) : [])
    .map(Number)
    .filter((major) => Number.isInteger(major) && major >= wantedMajor)
    // The server's own major first: the closest match is the best-tested pairing.
    .sort((a, b) => a - b);
  const fromPath = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  return [
    ...debianMajors.map((major) => path.join(DEBIAN_PG_ROOT, String(major), 'bin', tool)),
    ...fromPath.map((dir) => path.join(dir, tool)),
  ];
}

async function versionOf(file: string): Promise<{ version: string; major: number } | undefined> {
  try {
    const { stdout } = await run(file, ['--version'], { timeout: 10_000 });
    const match = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?/.exec(stdout);
    if (!match) return undefined;
    return { version: match[2] ? `${match[1]}.${match[2]}` : match[1], major: Number(match[1]) };
  } catch {
    return undefined;
  }
}

/**
 * The first `tool` whose major version is at least `wantedMajor` (pg_dump refuses to dump a newer
 * server, and pg_restore cannot read archives from a newer pg_dump). PG_BIN_DIR, when set, is the
 * only place searched; otherwise /usr/lib/postgresql/<major>/bin, then PATH.
 */
export async function findPgTool(tool: PgTool, wantedMajor: number, pgBinDir: string | undefined): Promise<FoundTool> {
  const tooOld: string[] = [];
  const seen = new Set<string>();
  for (const file of candidates(tool, wantedMajor, pgBinDir)) {
    if (seen.has(file) || !isExecutable(file)) continue;
    seen.add(file);
    const found = await versionOf(file);
    if (!found) continue;
    if (found.major >= wantedMajor) return { tool, path: file, ...found };
    tooOld.push(`${file} is version ${found.version}`);
  }
  const where = pgBinDir ? `in PG_BIN_DIR=${pgBinDir}` : `in ${DEBIAN_PG_ROOT}/*/bin or on PATH`;
  if (tooOld.length) {
    throw new Error(
      `${tool} ${wantedMajor} or newer is needed, but only older ones were found (${tooOld.join('; ')}). ` +
        installHint(wantedMajor),
    );
  }
  throw new Error(`${tool} was not found ${where}. ${installHint(wantedMajor)}`);
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * libpq arguments for a connection URL: the URL without its password (command lines are visible
 * to every user in `ps`), and the password in PGPASSWORD.
 */
export function libpqConnection(url: string): { dbname: string; env: Record<string, string> } {
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  parsed.password = '';
  return { dbname: parsed.toString(), env: password ? { PGPASSWORD: password } : {} };
}

/**
 * Runs a client tool, handing each stderr line (where --verbose progress goes) to `onLine`.
 * Rejects with the tool's last lines of output when it exits non-zero.
 */
export function runPgTool(
  found: FoundTool,
  args: string[],
  options: { env?: Record<string, string>; onLine?: (line: string) => void } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(found.path, args, {
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    const lastLines: string[] = [];
    let partial = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        lastLines.push(line);
        if (lastLines.length > 20) lastLines.shift();
        options.onLine?.(line);
      }
    });
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (partial) {
        lastLines.push(partial);
        options.onLine?.(partial);
      }
      if (code === 0) return resolve(stdout);
      const errors = lastLines.filter((line) => /error|fatal|could not/i.test(line));
      reject(new Error(`${found.tool} failed (${signal ?? `exit ${code}`}):\n${(errors.length ? errors : lastLines).join('\n')}`));
    });
  });
}
