// `npm run bench:backup`: how fast `mosis backup` / `mosis restore` (pg_dump / pg_restore, logical)
// move a populated database, beside a physical base backup (pg_basebackup, what point-in-time
// recovery restores) of the same cluster in the same run. Settings: BENCH_ROWS telemetry events
// (default 1000000; audit rows are a fifth of that), BENCH_REPEAT (2; the best run counts, the
// machine is shared). Runs on a throwaway Debian PostgreSQL 15 (scripts/pg-cluster.sh).
import 'reflect-metadata';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../src/paths';
import { megabytes, migratedDatabase, scratchDir, seconds, sql, startCluster, withDatabase } from './ops-support';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 2);
const run = promisify(execFile);

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

/** The best of REPEAT runs: noise on a shared machine only ever adds time. */
async function best(prepare: (i: number) => Promise<void>, work: (i: number) => Promise<unknown>): Promise<number> {
  let fastest = Infinity;
  for (let i = 0; i < REPEAT; i++) {
    await prepare(i);
    fastest = Math.min(fastest, await timed(() => work(i)));
  }
  return fastest;
}

const mosis = (args: string[], databaseUrl: string) =>
  run(process.execPath, [path.join(PROJECT_ROOT, 'bin/mosis.js'), ...args], {
    env: { ...process.env, DATABASE_URL: databaseUrl },
    maxBuffer: 64 * 1024 * 1024,
  });

async function populate(url: string): Promise<void> {
  await sql(url, `INSERT INTO developers (email, name, password_hash)
                  SELECT 'dev' || g || '@example.com', 'Developer ' || g, repeat('x', 60) FROM generate_series(1, 10000) g`);
  await sql(url, `INSERT INTO apps (developer_id, package_id, name, description, category, tags, status)
                  SELECT d.id, 'com.bench.app' || d.n, 'Bench app ' || d.n, 'An app for measuring backups, number ' || d.n,
                         'tools', ARRAY['bench', 'tag' || (d.n % 50)], 'published'
                    FROM (SELECT id, row_number() OVER () AS n FROM developers) d`);
  await sql(url, `INSERT INTO telemetry_events (app_id, device_id, event_type, event_data, mosis_version, event_id, "timestamp")
                  SELECT apps.ids[g % 10000 + 1], md5(g::text) || md5((g % 20000)::text),
                         (ARRAY['app_open', 'screen_view', 'button_tap'])[g % 3 + 1],
                         jsonb_build_object('screen', 'home', 'durationMs', g % 60000), '1.4.0', 'evt-' || g,
                         now() - (g % 2592000) * interval '1 second'
                    FROM generate_series(1, $1::int) g, (SELECT array_agg(id) AS ids FROM apps) apps`, [ROWS]);
  await sql(url, `INSERT INTO audit_logs (action, target_type, target_id, metadata, ip)
                  SELECT 'bench.action', 'app', g::text, jsonb_build_object('g', g), '10.0.0.1'
                    FROM generate_series(1, $1::int) g`, [Math.floor(ROWS / 5)]);
  await sql(url, 'VACUUM ANALYZE');
}

async function main(): Promise<void> {
  const cluster = await startCluster();
  const work = scratchDir('ops-backup-');
  try {
    const source = await migratedDatabase(cluster.url, 'bench_source');
    console.log(`populating: 10000 developers and apps, ${ROWS} telemetry events, ${ROWS / 5} audit rows…`);
    await populate(source);
    const [{ bytes, telemetry }] = await sql(source, `
      SELECT pg_database_size(current_database())::bigint AS bytes,
             (SELECT sum(pg_total_relation_size(inhrelid))::bigint FROM pg_inherits
               WHERE inhparent = 'telemetry_events'::regclass) AS telemetry`);
    const size = Number(bytes);
    const mbps = (ms: number) => `${(size / 1024 / 1024 / (ms / 1000)).toFixed(0)} MB/s`;

    const base = (i: number) => path.join(work, `base-${i}`);
    const physicalBackup = await best(
      async (i) => fs.rmSync(base(i), { recursive: true, force: true }),
      (i) => run('pg_basebackup', [`--dbname=${cluster.url}`, `--pgdata=${base(i)}`, '--format=tar', '--gzip',
        '--wal-method=stream', '--checkpoint=fast']),
    );
    const baseBytes = fs.readdirSync(base(0)).reduce((sum, f) => sum + fs.statSync(path.join(base(0), f)).size, 0);
    const unpacked = (i: number) => path.join(work, `unpacked-${i}`);
    const physicalRestore = await best(
      async (i) => fs.mkdirSync(unpacked(i)),
      (i) => run('tar', ['-xzf', path.join(base(0), 'base.tar.gz'), '-C', unpacked(i)]),
    );

    const dump = (i: number) => path.join(work, `logical-${i}.dump`);
    const logicalBackup = await best(async () => undefined, (i) => mosis(['backup', dump(i)], source));
    const target = (i: number) => withDatabase(cluster.url, `bench_restored_${i}`);
    const logicalRestore = await best(
      async (i) => void (await sql(cluster.url, `CREATE DATABASE bench_restored_${i} TEMPLATE template0`)),
      (i) => mosis(['restore', dump(0)], target(i)),
    );

    console.log(`\ndatabase: ${megabytes(size)} MB (pg_database_size), best of ${REPEAT} runs each`);
    console.log(`telemetry_events: ${(Number(telemetry) / ROWS).toFixed(0)} bytes per event on disk, indexes included`);
    console.log(`logical backup   (npx mosis backup, pg_dump -Fc)    ${seconds(logicalBackup).padStart(6)} s  ${mbps(logicalBackup).padStart(9)}  file ${megabytes(fs.statSync(dump(0)).size)} MB`);
    console.log(`logical restore  (npx mosis restore, pg_restore)    ${seconds(logicalRestore).padStart(6)} s  ${mbps(logicalRestore).padStart(9)}`);
    console.log(`physical backup  (pg_basebackup -Ft -z)             ${seconds(physicalBackup).padStart(6)} s  ${mbps(physicalBackup).padStart(9)}  file ${megabytes(baseBytes)} MB (whole cluster)`);
    console.log(`physical restore (unpack the base backup)           ${seconds(physicalRestore).padStart(6)} s  ${mbps(physicalRestore).padStart(9)}`);
    console.log(`ratios: logical/physical backup ${(logicalBackup / physicalBackup).toFixed(1)}x, logical/physical restore ${(logicalRestore / physicalRestore).toFixed(1)}x`);
  } finally {
    await cluster.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
