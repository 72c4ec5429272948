import type { DataSource } from 'typeorm';
import type { DailyRange } from '../telemetry/telemetry.service';
import type { VersionHealth } from './version-health.types';

/**
 * Reads of version health. The counts are maintained at ingestion (TelemetryWriter for events,
 * CrashService for crash reports) from per-day device sets, so reads never touch raw rows.
 */
export class VersionHealthService {
  constructor(private readonly db: DataSource) {}

  /** versionHealth: one row per day and version, ordered by date then version. */
  async daily(appId: string, range: Pick<DailyRange, 'from' | 'to'>): Promise<VersionHealth[]> {
    return this.db.query(
      `SELECT to_char(date, 'YYYY-MM-DD') AS date, app_version AS "appVersion", active_devices AS "activeDevices",
              crashed_devices AS "crashedDevices", 1 - crashed_devices::float8 / active_devices AS "crashFreeRate"
         FROM version_health_daily
        WHERE app_id = $1 AND date BETWEEN $2::date AND $3::date
        ORDER BY date, app_version COLLATE "C"`,
      [appId, range.from, range.to],
    );
  }
}
