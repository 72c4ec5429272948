import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import type { ReadQueries } from '../db/reads';
import { isUniqueViolation } from '../graphql/errors';
import type { Month, PartitionManager } from './partitions';
import { StoredDeviceKeys } from './stored-device-keys';

/** A validated batch, one array per column. Timestamps are canonical UTC ISO strings. */
export interface TelemetryColumns {
  appId: string[];
  deviceHash: string[];
  eventType: string[];
  eventData: (string | null)[];
  mosisVersion: (string | null)[];
  appVersion: (string | null)[];
  eventId: (string | null)[];
  timestamp: string[];
}

/**
 * A CTE `name` that puts the keys of `keys` — (app, UTC day, `value`, device) — into a device set,
 * in key order, and returns those that went in: the devices new to their group.
 */
function newDeviceKeys(name: string, deviceSet: string, value: string, keys: string): string {
  return `${name} AS (
  INSERT INTO ${deviceSet} (app_id, date, ${value}, device_hash)
  SELECT app_id, date, ${value}, device_hash FROM ${keys}
   ORDER BY 1, 2, 3, 4
  ON CONFLICT DO NOTHING
  RETURNING app_id, date, ${value}
)`;
}

/**
 * Adds a batch to the rollups from `event_counts` — (app, UTC day, type, events) — and
 * `device_keys` — (app, UTC day, type, device): each device key goes into the day's device set,
 * and the keys that actually go in are exactly the devices new to that day; then telemetry_daily
 * gets the events and the new devices added. Version health the same way from `version_keys` —
 * (app, UTC day, app version, device): the version's devices new that day are added to its
 * active devices. Exact under concurrency: a concurrent insert of the same device key waits for
 * the other transaction and then skips, and a rollup row is updated under its row lock.
 *
 * Both device sets are filled before any rollup row is locked (the rollups read both inserts'
 * results): every batch updates the same few rollup rows, so concurrent batches queue for them
 * from the first rollup upsert to COMMIT, and that stretch is kept to the upserts themselves.
 */
const ROLLUP_CTES = `
${newDeviceKeys('new_devices', 'telemetry_daily_devices', 'event_type', 'device_keys')},
${newDeviceKeys('new_version_devices', 'version_daily_devices', 'app_version', 'version_keys')},
device_sets_filled AS (
  SELECT (SELECT count(*) FROM new_devices) + (SELECT count(*) FROM new_version_devices) AS new_keys
), rollup AS (
  INSERT INTO telemetry_daily AS d (app_id, date, event_type, count, unique_devices)
  SELECT e.app_id, e.date, e.event_type, e.events, coalesce(n.devices, 0)
    FROM device_sets_filled, event_counts e
    LEFT JOIN (SELECT app_id, date, event_type, count(*) AS devices FROM new_devices GROUP BY 1, 2, 3) n
      USING (app_id, date, event_type)
   ORDER BY 1, 2, 3
  ON CONFLICT (app_id, date, event_type) DO UPDATE
    SET count = d.count + excluded.count, unique_devices = d.unique_devices + excluded.unique_devices
), version_rollup AS (
  INSERT INTO version_health_daily AS h (app_id, date, app_version, active_devices, crashed_devices)
  SELECT v.app_id, v.date, v.app_version, count(*), 0 FROM device_sets_filled, new_version_devices v GROUP BY 1, 2, 3
   ORDER BY 1, 2, 3
  ON CONFLICT (app_id, date, app_version) DO UPDATE SET active_devices = h.active_devices + excluded.active_devices
)`;

const COPY_SQL = `COPY telemetry_events (app_id, device_id, event_type, event_data, mosis_version, app_version, event_id, "timestamp") FROM STDIN`;

/** Bytes in a device hash (HMAC-SHA256). */
const DEVICE_HASH_BYTES = 32;

/**
 * A CTE `name` of device keys — the group's columns and `device_hash` — from the groups in CTE
 * `groups`, numbered `n` from 1, each with `new_keys` keys, and `keys`, a bytea parameter holding
 * the device hashes of group 1's keys, then group 2's, and so on. One binary parameter instead of
 * an array of hex texts: PostgreSQL and node-postgres then do no per-key parsing or escaping.
 */
function deviceKeysOf(name: string, groups: string, value: string, keys: string): string {
  return `${name} AS (
  SELECT g.app_id, g.date, g.${value}, substring(${keys}::bytea FROM ((g.first_key + i) * ${DEVICE_HASH_BYTES} + 1)::int FOR ${DEVICE_HASH_BYTES}) AS device_hash
    FROM (SELECT *, sum(new_keys) OVER (ORDER BY n) - new_keys AS first_key FROM ${groups}) g,
         generate_series(0, g.new_keys - 1) AS i
)`;
}

/**
 * The rollup of a batch stored by COPY, counted by the client: its groups — (app, UTC day, event
 * type, events) and (app, UTC day, app version) — each with the device keys to insert, leaving out
 * those it has seen committed in their sets (see StoredDeviceKeys). Each group is sent once, not
 * once per device.
 */
const COPY_ROLLUP_SQL = `
WITH event_counts AS (
  SELECT * FROM unnest($1::uuid[], $2::date[], $3::text[], $4::int[], $5::int[]) WITH ORDINALITY AS g(app_id, date, event_type, events, new_keys, n)
), version_groups AS (
  SELECT * FROM unnest($7::uuid[], $8::date[], $9::text[], $10::int[]) WITH ORDINALITY AS g(app_id, date, app_version, new_keys, n)
), ${deviceKeysOf('device_keys', 'event_counts', 'event_type', '$6')},
${deviceKeysOf('version_keys', 'version_groups', 'app_version', '$11')},
${ROLLUP_CTES}
SELECT 1`;

/**
 * The path for a batch that repeats stored events: insert what is new, skip (app, eventId,
 * timestamp) already there, and roll up only the rows that went in. One statement.
 */
const UPSERT_SQL = `
WITH inserted AS (
  INSERT INTO telemetry_events (app_id, device_id, event_type, event_data, mosis_version, app_version, event_id, "timestamp")
  SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::jsonb[], $5::text[], $6::text[], $7::text[], $8::timestamptz[])
    AS e(app_id, device_id, event_type, event_data, mosis_version, app_version, event_id, ts)
   ORDER BY app_id, ts, event_id COLLATE "C"
  ON CONFLICT (app_id, event_id, "timestamp") WHERE event_id IS NOT NULL DO NOTHING
  RETURNING app_id, device_id, event_type, app_version, ("timestamp" AT TIME ZONE 'UTC')::date AS date
), event_counts AS (
  SELECT app_id, date, event_type, count(*) AS events FROM inserted GROUP BY 1, 2, 3
), device_keys AS (
  SELECT DISTINCT app_id, date, event_type, decode(device_id, 'hex') AS device_hash FROM inserted
), version_keys AS (
  SELECT DISTINCT app_id, date, app_version, decode(device_id, 'hex') AS device_hash FROM inserted WHERE app_version IS NOT NULL
), ${ROLLUP_CTES}
SELECT count(*)::int AS accepted FROM inserted`;

/** A batch's events under one (app, UTC day, event type or app version), and their devices. */
interface DeviceGroup {
  /** `<app>\t<day>\t<value>`: no field can hold a tab (validation refuses control characters). */
  id: string;
  appId: string;
  date: string;
  value: string;
  /** For telemetry_daily.count, of the event-type groups. */
  events: number;
  devices: Set<string>;
}

/** A COPY text-format field. Validated values hold no tab, newline or carriage return, so only the backslash needs escaping. */
const copyValue = (value: string | null) => (value === null ? '\\N' : value.includes('\\') ? value.replace(/\\/g, '\\\\') : value);

/**
 * Stores validated batches of telemetry with their rollups, atomically.
 *
 * Most batches are new events, and for them COPY is the cheapest way in: the batch is copied and
 * rolled up in one transaction. A batch that repeats a stored event (a retry) makes COPY fail on
 * the unique (app_id, event_id, "timestamp") index; it is then rolled back and stored by an
 * INSERT … ON CONFLICT DO NOTHING that skips the repeats.
 *
 * No deadlocks: both paths write events ordered by (app_id, timestamp, event_id) — byte order,
 * the same in JavaScript and in SQL (COLLATE "C"), and one total order over the unique index's
 * columns, which is all that lock order needs — then device keys, then rollup rows, each in key
 * order, and each step finishes before the next begins. So every transaction takes its locks in
 * one global order. Time before event id because two of the table's indexes lead with (app,
 * time) or time: a batch's rows then go into them page after page, not all over them.
 */
export class TelemetryWriter {
  /** Keys seen committed in telemetry_daily_devices, and in version_daily_devices. */
  private readonly storedDevices: StoredDeviceKeys;
  private readonly storedVersionDevices: StoredDeviceKeys;

  constructor(
    private readonly db: DataSource,
    private readonly reads: ReadQueries,
    private readonly partitions: PartitionManager,
    options: { deviceMemoKeys: number },
  ) {
    this.storedDevices = new StoredDeviceKeys(options.deviceMemoKeys);
    this.storedVersionDevices = new StoredDeviceKeys(options.deviceMemoKeys);
  }

  /**
   * Returns how many events were stored (the rest were already there). `warn` hears about a
   * partition that could not be created; its events then go to the default partition, which
   * maintenance empties into the partition once it exists.
   */
  async store(batch: TelemetryColumns, warn: (message: string) => void): Promise<number> {
    await this.ensurePartitions(batch.timestamp, warn);
    return (await this.copy(batch)) ?? (await this.upsert(batch));
  }

  private async ensurePartitions(timestamps: string[], warn: (message: string) => void): Promise<void> {
    const months = new Map<string, Month>();
    for (const timestamp of timestamps) {
      const key = timestamp.slice(0, 7);
      if (!months.has(key)) months.set(key, { year: Number(key.slice(0, 4)), month: Number(key.slice(5, 7)) });
    }
    try {
      await this.partitions.ensureMonths([...months.values()]);
    } catch (error) {
      warn(`could not create telemetry partitions for ${[...months.keys()].join(', ')}: ${(error as Error).message}`);
    }
  }

  /** COPY and roll up in one transaction; null (and nothing stored) if the batch repeats a stored event. */
  private async copy(batch: TelemetryColumns): Promise<number | null> {
    const order = eventOrder(batch);
    let text = '';
    const byType = new Map<string, DeviceGroup>();
    const byVersion = new Map<string, DeviceGroup>();
    for (const i of order) {
      const appId = batch.appId[i];
      const deviceHash = batch.deviceHash[i];
      const eventType = batch.eventType[i];
      const appVersion = batch.appVersion[i];
      const timestamp = batch.timestamp[i];
      text += `${appId}\t${deviceHash}\t${eventType}\t${copyValue(batch.eventData[i])}\t${copyValue(batch.mosisVersion[i])}\t${copyValue(appVersion)}\t${copyValue(batch.eventId[i])}\t${timestamp}\n`;
      const date = timestamp.slice(0, 10);
      addToGroup(byType, appId, date, eventType, deviceHash);
      if (appVersion !== null) addToGroup(byVersion, appId, date, appVersion, deviceHash);
    }
    const typeGroups = inKeyOrder(byType);
    const versionGroups = inKeyOrder(byVersion);
    const newDevices = unknownKeys(typeGroups, this.storedDevices);
    const newVersionDevices = unknownKeys(versionGroups, this.storedVersionDevices);
    const [client, release] = await (this.db.driver as PostgresDriver).obtainMasterConnection();
    let broken: unknown;
    try {
      await client.query('BEGIN');
      try {
        await pipeline(Readable.from([text]), client.query(copyFrom(COPY_SQL)));
        await client.query(this.reads.statement(COPY_ROLLUP_SQL, [
          ...groupColumns(typeGroups), typeGroups.map((g) => g.events), ...keyColumns(newDevices),
          ...groupColumns(versionGroups), ...keyColumns(newVersionDevices),
        ]));
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        if (isUniqueViolation(error)) return null;
        throw error;
      }
    } catch (error) {
      broken = error;
      throw error;
    } finally {
      release(broken);
    }
    // The keys sent are in their device sets now: put there by this batch or found there.
    for (const { group, devices } of newDevices) this.storedDevices.add(group.id, devices);
    for (const { group, devices } of newVersionDevices) this.storedVersionDevices.add(group.id, devices);
    return order.length;
  }

  private async upsert(batch: TelemetryColumns): Promise<number> {
    const [{ accepted }] = await this.db.query(UPSERT_SQL, [
      batch.appId, batch.deviceHash, batch.eventType, batch.eventData, batch.mosisVersion, batch.appVersion, batch.eventId,
      batch.timestamp,
    ]);
    return accepted;
  }
}

function addToGroup(groups: Map<string, DeviceGroup>, appId: string, date: string, value: string, deviceHash: string): void {
  const id = `${appId}\t${date}\t${value}`;
  let group = groups.get(id);
  if (!group) groups.set(id, (group = { id, appId, date, value, events: 0, devices: new Set() }));
  group.events++;
  group.devices.add(deviceHash);
}

/**
 * The groups ordered by id, which is byte order of (app, day, value): the order the device sets'
 * inserts sort their keys in (under the C collation), so PostgreSQL finds them sorted already.
 */
function inKeyOrder(groups: Map<string, DeviceGroup>): DeviceGroup[] {
  return [...groups.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** A group's devices that may not be in its device set yet. */
interface GroupKeys {
  group: DeviceGroup;
  devices: string[];
}

/** Each group's devices that `stored` has not seen committed in the group's device set, in byte order. */
function unknownKeys(groups: DeviceGroup[], stored: StoredDeviceKeys): GroupKeys[] {
  return groups.map((group) => ({ group, devices: stored.unknown(group.id, group.devices).sort() }));
}

/** Groups as COPY_ROLLUP_SQL's columns: app, day, event type or app version. */
function groupColumns(groups: DeviceGroup[]): [string[], string[], string[]] {
  return [groups.map((g) => g.appId), groups.map((g) => g.date), groups.map((g) => g.value)];
}

/** Keys as COPY_ROLLUP_SQL takes them: each group's number of keys, and all their device hashes as one bytea. */
function keyColumns(keys: GroupKeys[]): [number[], Buffer] {
  return [keys.map(({ devices }) => devices.length), Buffer.from(keys.map(({ devices }) => devices.join('')).join(''), 'hex')];
}

/** Row indexes ordered by (app_id, timestamp, event_id nulls last), as UPSERT_SQL orders them. */
function eventOrder(batch: TelemetryColumns): number[] {
  const { appId, eventId, timestamp } = batch;
  const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return Array.from(appId.keys()).sort((a, b) => {
    const byApp = compare(appId[a], appId[b]);
    if (byApp !== 0) return byApp;
    const byTime = compare(timestamp[a], timestamp[b]);
    if (byTime !== 0) return byTime;
    const ea = eventId[a];
    const eb = eventId[b];
    if (ea !== eb) {
      if (ea === null) return 1;
      if (eb === null) return -1;
      return compare(ea, eb);
    }
    return 0;
  });
}
