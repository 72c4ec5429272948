// Every migration, in the order it runs. Add new ones at the end; never edit one that has landed.
import { EnableExtensions1795600000001 } from './1795600000001-EnableExtensions';
import { CreateDevelopers1795600000002 } from './1795600000002-CreateDevelopers';
import { CreateSessions1795600000003 } from './1795600000003-CreateSessions';
import { CreateApiKeys1795600000004 } from './1795600000004-CreateApiKeys';
import { CreateSigningKeys1795600000005 } from './1795600000005-CreateSigningKeys';
import { CreateApps1795600000006 } from './1795600000006-CreateApps';
import { CreateAppVersions1795600000007 } from './1795600000007-CreateAppVersions';
import { CreateTelemetryEvents1795600000008 } from './1795600000008-CreateTelemetryEvents';
import { CreateCrashReports1795600000009 } from './1795600000009-CreateCrashReports';
import { CreateTelemetryDaily1795600000010 } from './1795600000010-CreateTelemetryDaily';
import { CreateAuditLogs1795600000011 } from './1795600000011-CreateAuditLogs';
import { CreateTelemetryDailyDevices1795600000201 } from './1795600000201-CreateTelemetryDailyDevices';
import { CreateCrashGroups1795600000202 } from './1795600000202-CreateCrashGroups';
import { IndexAppsByRecency1795600000301 } from './1795600000301-IndexAppsByRecency';
import { RestrictApiKeyPermissions1795600004001 } from './1795600004001-RestrictApiKeyPermissions';
import { AddRolloutToAppVersions1795600006001 } from './1795600006001-AddRolloutToAppVersions';
import { AddAppVersionToTelemetryEvents1795600006002 } from './1795600006002-AddAppVersionToTelemetryEvents';
import { CreateVersionHealth1795600006003 } from './1795600006003-CreateVersionHealth';
import { CreateWebhooks1795600006004 } from './1795600006004-CreateWebhooks';
import { CheckDailyEventTypes1795600007001 } from './1795600007001-CheckDailyEventTypes';
import { EstimateAppsPerDeveloper1795600008001 } from './1795600008001-EstimateAppsPerDeveloper';

export const migrations = [
  EnableExtensions1795600000001,
  CreateDevelopers1795600000002,
  CreateSessions1795600000003,
  CreateApiKeys1795600000004,
  CreateSigningKeys1795600000005,
  CreateApps1795600000006,
  CreateAppVersions1795600000007,
  CreateTelemetryEvents1795600000008,
  CreateCrashReports1795600000009,
  CreateTelemetryDaily1795600000010,
  CreateAuditLogs1795600000011,
  CreateTelemetryDailyDevices1795600000201,
  CreateCrashGroups1795600000202,
  IndexAppsByRecency1795600000301,
  RestrictApiKeyPermissions1795600004001,
  AddRolloutToAppVersions1795600006001,
  AddAppVersionToTelemetryEvents1795600006002,
  CreateVersionHealth1795600006003,
  CreateWebhooks1795600006004,
  CheckDailyEventTypes1795600007001,
  EstimateAppsPerDeveloper1795600008001,
];
