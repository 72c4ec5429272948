import { crashIdentity } from '../crashes/crash-fingerprint';
import type { Apps } from './catalog';
import { iso, type SeedContext } from './context';
import { AppAudience, eventTime } from './telemetry';
import { MOSIS_VERSION_WEIGHTS, MOSIS_VERSIONS, SCREENS } from './vocabulary';

/** The kinds of bug an app ships: exception type, message, and the words its frames are made of. */
const BUG_KINDS = [
  { type: 'java.lang.NullPointerException', message: 'Attempt to invoke virtual method on a null object reference' },
  { type: 'java.lang.IllegalStateException', message: 'Fragment not attached to a context' },
  { type: 'java.lang.IndexOutOfBoundsException', message: 'Index 12 out of bounds for length 12' },
  { type: 'java.lang.OutOfMemoryError', message: 'Failed to allocate a 16777232 byte allocation' },
  { type: 'android.database.sqlite.SQLiteException', message: 'database is locked (code 5)' },
  { type: 'java.net.SocketTimeoutException', message: 'timeout after 15000ms' },
] as const;
const BUG_KIND_WEIGHTS = [40, 20, 15, 8, 7, 10];
const BUG_KIND_WEIGHT_TOTAL = BUG_KIND_WEIGHTS.reduce((sum, w) => sum + w, 0);

/** Each bug of an app always throws the same exception: a fixed function of the two numbers. */
function bugKind(app: number, bug: number): (typeof BUG_KINDS)[number] {
  let r = (app * 7919 + bug * 104_729) % BUG_KIND_WEIGHT_TOTAL;
  let kind = 0;
  while (r >= BUG_KIND_WEIGHTS[kind]) r -= BUG_KIND_WEIGHTS[kind++];
  return BUG_KINDS[kind];
}
const CLASS_WORDS = ['Main', 'Feed', 'Player', 'Sync', 'Settings', 'Image', 'Cache', 'Login', 'Checkout', 'Search'];
const METHOD_WORDS = ['onCreate', 'bind', 'load', 'render', 'refresh', 'decode', 'save', 'onResume', 'handle', 'parse'];
const FRAMEWORK_FRAMES = [
  'android.os.Handler.dispatchMessage(Handler.java:106)',
  'android.os.Looper.loop(Looper.java:223)',
  'android.app.ActivityThread.main(ActivityThread.java:7656)',
  'java.lang.reflect.Method.invoke(Native Method)',
];

/** One bug of one app: the same frames every time, with line numbers that move between its versions. */
function stackTrace(packageId: string, bug: number, kind: (typeof BUG_KINDS)[number], lineShift: number): string {
  const frames = Array.from({ length: 3 + (bug % 3) }, (_, depth) => {
    const cls = `${CLASS_WORDS[(bug * 7 + depth * 3) % CLASS_WORDS.length]}${depth === 0 ? 'Fragment' : 'Presenter'}`;
    const method = METHOD_WORDS[(bug * 5 + depth) % METHOD_WORDS.length];
    return `\tat ${packageId}.${cls.toLowerCase()}.${cls}.${method}(${cls}.java:${40 + bug * 13 + depth * 7 + lineShift})`;
  });
  return [`${kind.type}: ${kind.message}`, ...frames, ...FRAMEWORK_FRAMES.map((f) => `\tat ${f}`)].join('\n');
}

/**
 * Crash reports of published apps, skewed like telemetry, each app with a handful of recurring
 * bugs; fingerprints and group titles come from the project's own crashIdentity(), and each group
 * is the first report of its fingerprint, as ingestion records it.
 */
export async function seedCrashes(ctx: SeedContext, apps: Apps): Promise<void> {
  const rng = ctx.random('crash_reports');
  const published = apps.byPopularity;
  const groups = new Map<string, { appId: string; fingerprint: string; type: string; title: string; at: number }>();
  const audiences = new Map<number, AppAudience>();
  // A bug's trace differs only per app version; fingerprinting each distinct trace once saves most of the work.
  const traces = new Map<string, { trace: string; fingerprint: string; title: string }>();
  const columns = [
    'id', 'app_id', 'app_version', 'device_id', 'crash_type', 'message', 'stack_trace', 'context', 'mosis_version',
    'fingerprint', 'event_id', '"timestamp"', 'created_at',
  ];
  await ctx.copy('crash_reports', columns, async (write) => {
    for (let i = 0; i < ctx.scale.crashReports; i++) {
      const rank = rng.skewed(published.length, 4);
      const app = published[rank];
      const bug = rng.skewed(4 + (app % 12), 2);
      const kind = bugKind(app, bug);
      const versions = apps.publishedVersions[app];
      const version = versions.length - 1 - rng.skewed(versions.length, 2);
      const traceKey = `${app}:${bug}:${version}`;
      let known = traces.get(traceKey);
      if (!known) {
        const trace = stackTrace(apps.packageIds[app], bug, kind, version * 3);
        traces.set(traceKey, (known = { trace, ...crashIdentity(kind.type, trace, kind.message) }));
      }
      const { trace, fingerprint, title } = known;
      let audience = audiences.get(app);
      if (!audience) audiences.set(app, (audience = new AppAudience(rng, 50)));
      const at = eventTime(ctx, rng);
      const key = `${app}:${fingerprint}`;
      const group = groups.get(key);
      if (!group || at < group.at) groups.set(key, { appId: apps.ids[app], fingerprint, type: kind.type, title, at });
      await write([
        rng.uuid(), apps.ids[app], versions[version], audience.device(rng), kind.type, kind.message, trace,
        `{"screen": "${rng.pick(SCREENS)}", "freeMemoryMb": ${rng.between(12, 900)}, "orientation": "${rng.chance(0.8) ? 'portrait' : 'landscape'}"}`,
        rng.weighted(MOSIS_VERSIONS, MOSIS_VERSION_WEIGHTS), fingerprint, null, iso(at), iso(at + rng.between(1_000, 60_000)),
      ]);
    }
  });
  await ctx.copy('crash_groups', ['app_id', 'fingerprint', 'crash_type', 'title', 'created_at'], async (write) => {
    for (const g of groups.values()) await write([g.appId, g.fingerprint, g.type, g.title, iso(g.at)]);
  });
}
