/** Row counts of one `mosis seed --scale`; rollups and device sets follow from the events. */
export interface Scale {
  developers: number;
  apps: number;
  versions: number;
  telemetryEvents: number;
  apiKeys: number;
  crashReports: number;
  auditLogs: number;
  /** Telemetry covers this many UTC days, ending the day before --until. */
  telemetryDays: number;
}

export const SCALES = {
  /** A few seconds: CI smoke runs and tests. */
  small: { developers: 200, apps: 2_000, versions: 10_000, telemetryEvents: 50_000, apiKeys: 1_000, crashReports: 2_000, auditLogs: 20_000, telemetryDays: 90 },
  /** The volumes of the design document and of the benchmark (docs/PERFORMANCE.md). */
  seed: { developers: 10_000, apps: 100_000, versions: 500_000, telemetryEvents: 5_000_000, apiKeys: 50_000, crashReports: 100_000, auditLogs: 1_000_000, telemetryDays: 90 },
  /** `seed` with ten times the telemetry. */
  large: { developers: 10_000, apps: 100_000, versions: 500_000, telemetryEvents: 50_000_000, apiKeys: 50_000, crashReports: 100_000, auditLogs: 1_000_000, telemetryDays: 90 },
} as const satisfies Record<string, Scale>;

export type ScaleName = keyof typeof SCALES;
export const SCALE_NAMES = Object.keys(SCALES) as ScaleName[];
