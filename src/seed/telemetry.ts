import { createHash } from 'node:crypto';
import { addMonths, type Month, monthOf, monthlyPartition } from '../telemetry/partitions';
import type { Apps } from './catalog';
import { DAY_MS, iso, type SeedContext } from './context';
import { CopyWriter } from './copy-writer';
import type { Random } from './random';
import { EVENT_TYPE_WEIGHTS, EVENT_TYPES, MOSIS_VERSION_WEIGHTS, MOSIS_VERSIONS, SCREENS } from './vocabulary';

/** Devices in the whole store; each app's users are a slice of them, so some devices run many apps. */
const DEVICES = 200_000;
/** Share of a day's events per UTC hour: quiet nights, busy evenings. */
const HOUR_WEIGHTS = [2, 1, 1, 1, 1, 2, 3, 5, 6, 6, 6, 6, 7, 6, 6, 6, 6, 7, 8, 9, 9, 7, 5, 3];
const HOURS = HOUR_WEIGHTS.map((_, hour) => hour);

const deviceHashes = new Map<number, string>();
/** A stable stand-in for a device's keyed hash (what ingestion stores instead of the raw id). */
export function deviceHash(device: number): string {
  let hash = deviceHashes.get(device);
  if (hash === undefined) {
    hash = createHash('sha256').update(`mosis seed device ${device}`).digest('hex');
    deviceHashes.set(device, hash);
  }
  return hash;
}

/** One app's users: a slice of the store's devices, a few of them far more active than the rest. */
export class AppAudience {
  private readonly offset: number;
  private readonly size: number;

  constructor(rng: Random, events: number) {
    this.offset = rng.int(DEVICES);
    this.size = Math.max(3, Math.min(DEVICES, Math.round(events / rng.between(6, 30))));
  }

  device(rng: Random): string {
    return deviceHash((this.offset + rng.skewed(this.size, 2)) % DEVICES);
  }
}

/** A moment in the telemetry window, at the hours people use their phones. */
export function eventTime(ctx: SeedContext, rng: Random): number {
  const day = rng.int(ctx.scale.telemetryDays);
  const hour = rng.weighted(HOURS, HOUR_WEIGHTS);
  return ctx.windowStart + day * DAY_MS + hour * 3_600_000 + rng.int(3_600_000);
}

function eventData(rng: Random, type: string): string | null {
  switch (type) {
    case 'app_open': return `{"coldStart": ${rng.chance(0.3)}}`;
    case 'screen_view': return `{"screen": "${rng.pick(SCREENS)}"}`;
    case 'button_tap': return `{"screen": "${rng.pick(SCREENS)}", "button": "${rng.pick(['save', 'share', 'next', 'back', 'buy'])}"}`;
    case 'session_end': return `{"durationMs": ${Math.round(5_000 + 1_800_000 * rng.float() ** 3)}}`;
    case 'purchase': return `{"sku": "${rng.pick(['premium_monthly', 'premium_yearly', 'coins_100', 'remove_ads'])}", "priceCents": ${rng.pick([99, 199, 499, 999])}}`;
    case 'search': return `{"queryLength": ${rng.between(1, 30)}}`;
    case 'share': return `{"target": "${rng.pick(['link', 'message', 'email'])}"}`;
    default: return rng.chance(0.5) ? null : `{"code": "E${rng.between(1, 99)}"}`;
  }
}

const EVENT_COLUMNS = ['id', 'app_id', 'device_id', 'event_type', 'event_data', 'mosis_version', 'event_id', '"timestamp"', 'received_at'];

/**
 * Raw events of published apps, skewed so the busiest app gets about 6% of them at `seed` scale;
 * then the per-day device sets and the daily rollups, computed from those events exactly as
 * ingestion would have accumulated them. Each month is loaded into a detached partition and
 * attached afterwards, so its indexes are built once, in bulk.
 */
export async function seedTelemetry(ctx: SeedContext, apps: Apps): Promise<void> {
  const rng = ctx.random('telemetry_events');
  const months = monthsOfWindow(ctx);
  const boundaries = months.map((m) => Date.UTC(m.year, m.month - 1, 1));
  const events = monthlyPartitionsOf(months, 'telemetry_events');
  const devices = monthlyPartitionsOf(months, 'telemetry_daily_devices');
  for (const partition of [...events, ...devices]) {
    // The database is empty (checked before seeding); a server may have made these months' partitions already.
    await ctx.query(`DROP TABLE IF EXISTS "${partition.name}"`);
    await ctx.query(partition.create);
  }

  const published = apps.byPopularity;
  const perApp = new Uint32Array(published.length);
  for (let i = 0; i < ctx.scale.telemetryEvents; i++) perApp[rng.skewed(published.length, 4)]++;

  let monthEvents: number[] = [];
  await ctx.withClients(months.length, async (clients) => {
    const writers = clients.map((client, i) => new CopyWriter(client, `"${events[i].name}"`, EVENT_COLUMNS));
    let id = 0;
    let reported = 0;
    for (let rank = 0; rank < published.length; rank++) {
      const appId = apps.ids[published[rank]];
      const audience = new AppAudience(rng, perApp[rank]);
      for (let n = 0; n < perApp[rank]; n++) {
        const at = eventTime(ctx, rng);
        const type = rng.weighted(EVENT_TYPES, EVENT_TYPE_WEIGHTS);
        let month = boundaries.length - 1;
        while (boundaries[month] > at) month--;
        await writers[month].row([
          ++id, appId, audience.device(rng), type, eventData(rng, type), rng.weighted(MOSIS_VERSIONS, MOSIS_VERSION_WEIGHTS), null,
          iso(at), iso(at + rng.between(1_000, 20_000)),
        ]);
        if (id - reported >= 10_000) {
          ctx.onRows(id - reported, 'telemetry_events');
          reported = id;
        }
      }
    }
    await Promise.all(writers.map((w) => w.end()));
    ctx.onRows(id - reported, 'telemetry_events');
    monthEvents = writers.map((w) => w.rows);
    await clients[0].query(`SELECT setval('telemetry_events_id_seq', $1)`, [Math.max(id, 1)]);
  });

  // Month by month: the day's device sets, the partitions attached (indexes built), then the rollups.
  for (let i = 0; i < months.length; i++) {
    await ctx.withClient(async (client) => {
      await client.query(`SET maintenance_work_mem = '256MB'`);
      await client.query(`SET work_mem = '128MB'`);
      await client.query(
        `INSERT INTO "${devices[i].name}" (app_id, date, event_type, device_hash)
         SELECT DISTINCT app_id, ("timestamp" AT TIME ZONE 'UTC')::date, event_type, decode(device_id, 'hex') FROM "${events[i].name}"`,
      );
      await client.query(events[i].attach);
      await client.query(devices[i].attach);
      await client.query(
        `INSERT INTO telemetry_daily (app_id, date, event_type, count, unique_devices)
         SELECT e.app_id, e.date, e.event_type, e.events, d.devices
           FROM (SELECT app_id, ("timestamp" AT TIME ZONE 'UTC')::date AS date, event_type, count(*) AS events
                   FROM "${events[i].name}" GROUP BY 1, 2, 3) e
           JOIN (SELECT app_id, date, event_type, count(*) AS devices FROM "${devices[i].name}" GROUP BY 1, 2, 3) d
          USING (app_id, date, event_type)
          ORDER BY 1, 2, 3`,
      );
      // Progress counts the events summed: a month's rollups cost about as much as its events.
      ctx.onRows(monthEvents[i], 'telemetry_daily');
    });
  }
}

/** The UTC months the telemetry window touches, oldest first. */
function monthsOfWindow(ctx: SeedContext): Month[] {
  const last = monthOf(new Date(ctx.until.getTime() - 1));
  const months = [monthOf(new Date(ctx.windowStart))];
  while (months[months.length - 1].year * 12 + months[months.length - 1].month < last.year * 12 + last.month) {
    months.push(addMonths(months[months.length - 1], 1));
  }
  return months;
}

const monthlyPartitionsOf = (months: Month[], parent: 'telemetry_events' | 'telemetry_daily_devices') =>
  months.map((month) => monthlyPartition(parent, month));
