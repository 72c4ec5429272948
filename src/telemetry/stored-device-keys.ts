/**
 * Device keys — a device under an (app, UTC day, event type or app version) group — that this
 * process has seen committed in a device set (telemetry_daily_devices or version_daily_devices),
 * so ingestion can leave them out of its INSERT … ON CONFLICT DO NOTHING, which would find them
 * and do nothing. That conflict check is most of what a repeated key costs PostgreSQL, and a
 * device sends many events a day.
 *
 * Why skipping is exact:
 * - A key is added only after the transaction that stored it (or found it stored) has committed,
 *   so a rolled-back batch teaches nothing.
 * - Rows leave a device set only when retention drops days before the retention cutoff, and
 *   ingestion refuses such days, so no later batch asks about them.
 * - Other server processes only ever add rows; each process skips only what it saw committed.
 * Emptying the tables under a running server (TRUNCATE, `mosis seed --force`) breaks the second
 * rule: restart the server afterwards.
 *
 * At most `capacity` keys: when more would not fit, the memo starts over (cheaper than tracking
 * which keys were used least recently), which costs only conflict checks. Keys are grouped, so one
 * costs a Set entry (about 25 bytes; the device hash is mostly the string DeviceIdHasher holds).
 */
export class StoredDeviceKeys {
  /** Group id (the caller's, one per app, day and value) → the device hashes stored under it. */
  private readonly groups = new Map<string, Set<string>>();
  private size = 0;

  constructor(private readonly capacity: number) {}

  /** Those of `devices` not seen committed under `group`. */
  unknown(group: string, devices: Iterable<string>): string[] {
    const stored = this.groups.get(group);
    return stored ? [...devices].filter((deviceHash) => !stored.has(deviceHash)) : [...devices];
  }

  /** Only once the transaction that stored the keys (or found them stored) has committed. */
  add(group: string, devices: string[]): void {
    if (this.size + devices.length > this.capacity) {
      this.groups.clear();
      this.size = 0;
      if (devices.length > this.capacity) return;
    }
    let stored = this.groups.get(group);
    if (!stored) this.groups.set(group, (stored = new Set()));
    const before = stored.size;
    for (const deviceHash of devices) stored.add(deviceHash);
    this.size += stored.size - before;
  }
}
