import { ApiKey } from '../api-keys/api-key.entity';
import { AuditLog } from '../audit/audit-log.entity';
import { Session } from '../auth/session.entity';
import { CrashReport } from '../crashes/crash-report.entity';
import { Developer } from '../developers/developer.entity';
import { App } from '../apps/app.entity';
import { SigningKey } from '../signing-keys/signing-key.entity';
import { TelemetryDailyRow } from '../telemetry/telemetry-daily.entity';
import { TelemetryEvent } from '../telemetry/telemetry-event.entity';
import { AppVersion } from '../versions/app-version.entity';

export const entities = [
  Developer, Session, ApiKey, SigningKey, App, AppVersion, TelemetryEvent, CrashReport, TelemetryDailyRow, AuditLog,
];
