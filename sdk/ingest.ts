/** What /v1/telemetry accepts per item (the contract's "Ingestion" section). */
export interface TelemetryEventInput {
  appId: string;
  /** Sent as is; the server stores only a keyed hash of it. */
  deviceId: string;
  eventType: string;
  eventData?: Record<string, unknown>;
  mosisVersion?: string;
  /** The app version the device runs (an AppVersion.versionName); counts the device for versionHealth. */
  appVersion?: string;
  /** ISO-8601, e.g. new Date().toISOString(). */
  timestamp: string;
  /** Makes a retry safe: an item whose eventId is already stored counts as a duplicate. */
  eventId?: string;
}

/** What /v1/crashes accepts per item. */
export interface CrashReportInput {
  appId: string;
  appVersion: string;
  deviceId: string;
  crashType: string;
  message?: string;
  stackTrace?: string;
  context?: Record<string, unknown>;
  mosisVersion?: string;
  timestamp: string;
  eventId?: string;
}

/** The 202 answer, sent once the batch is committed. */
export interface IngestResult {
  /** Items stored by this request. */
  accepted: number;
  /** Items skipped because their eventId was already stored. */
  duplicates: number;
}
