// `npm run schema:check`: lists every change between the last released schema and schema.graphql,
// and fails on a breaking change that schema/announced-breaks.json does not announce.
// test/schema-compat.test.ts runs the same check in `npm test`. The process is in schema/README.md.
import fs from 'node:fs';
import path from 'node:path';
import { type Change, CriticalityLevel, diff } from '@graphql-inspector/core';
import { buildSchema } from 'graphql';
import { PROJECT_ROOT } from '../src/paths';

const RELEASES_DIR = path.join(PROJECT_ROOT, 'schema', 'releases');
const ANNOUNCEMENTS_FILE = path.join(PROJECT_ROOT, 'schema', 'announced-breaks.json');
const CURRENT_SCHEMA_FILE = path.join(PROJECT_ROOT, 'schema.graphql');

/** A breaking change made on purpose: `path` as `npm run schema:check` prints it, and why clients must adapt. */
export interface Announcement {
  path: string;
  reason: string;
}

export interface CompatibilityReport {
  changes: Change[];
  /** Breaking changes no announcement covers: these fail the check. */
  unannounced: Change[];
  /** Announcements that match no breaking change (fixed or mistyped): these fail too, so none lingers to excuse a later break. */
  staleAnnouncements: Announcement[];
}

/** Where a change is, as announcements name it; schema-wide changes have no path. */
export function changePath(change: Change): string {
  return change.path ?? '(schema)';
}

export async function compareSchemas(previousSdl: string, currentSdl: string, announcements: Announcement[]): Promise<CompatibilityReport> {
  const changes = await diff(buildSchema(previousSdl), buildSchema(currentSdl));
  const breaking = changes.filter((change) => change.criticality.level === CriticalityLevel.Breaking);
  const announced = new Set(announcements.map((announcement) => announcement.path));
  return {
    changes,
    unannounced: breaking.filter((change) => !announced.has(changePath(change))),
    staleAnnouncements: announcements.filter((announcement) => !breaking.some((change) => changePath(change) === announcement.path)),
  };
}

/** The highest `vMAJOR.MINOR.PATCH.graphql` in schema/releases/. */
export function latestRelease(): { version: string; file: string } {
  const releases = fs
    .readdirSync(RELEASES_DIR)
    .map((name) => ({ name, parts: /^v(\d+)\.(\d+)\.(\d+)\.graphql$/.exec(name)?.slice(1).map(Number) }))
    .filter((release): release is { name: string; parts: number[] } => release.parts !== undefined)
    .sort((a, b) => a.parts[0] - b.parts[0] || a.parts[1] - b.parts[1] || a.parts[2] - b.parts[2]);
  const latest = releases.at(-1);
  if (!latest) throw new Error(`no vX.Y.Z.graphql in ${RELEASES_DIR}`);
  return { version: latest.name.replace(/\.graphql$/, ''), file: path.join(RELEASES_DIR, latest.name) };
}

/** The committed files: the last release, schema.graphql and the announcements. */
export async function checkCommittedSchema(): Promise<CompatibilityReport & { release: string }> {
  const release = latestRelease();
  const announcements = JSON.parse(fs.readFileSync(ANNOUNCEMENTS_FILE, 'utf8')) as Announcement[];
  const report = await compareSchemas(
    fs.readFileSync(release.file, 'utf8'),
    fs.readFileSync(CURRENT_SCHEMA_FILE, 'utf8'),
    announcements,
  );
  return { ...report, release: release.version };
}

function printReport(report: CompatibilityReport & { release: string }): void {
  console.log(`schema.graphql against release ${report.release}: ${report.changes.length} change(s)`);
  const order = [CriticalityLevel.Breaking, CriticalityLevel.Dangerous, CriticalityLevel.NonBreaking];
  const byLevel = [...report.changes].sort((a, b) => order.indexOf(a.criticality.level) - order.indexOf(b.criticality.level));
  for (const change of byLevel) {
    const unannounced = report.unannounced.includes(change) ? '  <- not announced' : '';
    console.log(`  ${change.criticality.level.padEnd(12)} ${changePath(change)}: ${change.message}${unannounced}`);
  }
  for (const announcement of report.staleAnnouncements) {
    console.log(`  announced, but no such breaking change: ${announcement.path} (remove it from schema/announced-breaks.json)`);
  }
  if (report.unannounced.length > 0) {
    console.log('\nAnnounce each intended break in schema/announced-breaks.json with its path and a reason (schema/README.md).');
  }
}

if (require.main === module) {
  checkCommittedSchema()
    .then((report) => {
      printReport(report);
      process.exit(report.unannounced.length > 0 || report.staleAnnouncements.length > 0 ? 1 : 0);
    })
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}
