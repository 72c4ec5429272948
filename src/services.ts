import type { DataSource } from 'typeorm';
import { ApiKeyService } from './api-keys/api-key.service';
import { AuditService } from './audit/audit.service';
import { AuthService } from './auth/auth.service';
import type { Config } from './config';
import { ReadQueries } from './db/reads';
import { DeveloperService } from './developers/developer.service';
import { AppService } from './apps/app.service';
import { NodeService } from './node/node.service';
import { SearchService } from './apps/search.service';
import { SigningKeyService } from './signing-keys/signing-key.service';
import { AppVersionService } from './versions/app-version.service';
import { CrashService } from './crashes/crash.service';
import { RateLimits } from './rate-limits/rate-limits';
import { DeviceIdHasher } from './telemetry/device-id';
import { PartitionManager } from './telemetry/partitions';
import { TelemetryService } from './telemetry/telemetry.service';
import { RolloutService } from './releases/rollout.service';
import { VersionHealthService } from './releases/version-health.service';
import { WebhookService } from './webhooks/webhook.service';
import { WebhookDispatcher } from './webhooks/webhook-worker';

/** One instance of each service per process; they hold the rules and the SQL. */
export interface Services {
  /** The hot read path's statements (named, prepared). */
  reads: ReadQueries;
  auth: AuthService;
  developers: DeveloperService;
  apiKeys: ApiKeyService;
  audit: AuditService;
  signingKeys: SigningKeyService;
  apps: AppService;
  search: SearchService;
  nodes: NodeService;
  versions: AppVersionService;
  partitions: PartitionManager;
  telemetry: TelemetryService;
  crashes: CrashService;
  rollouts: RolloutService;
  versionHealth: VersionHealthService;
  webhooks: WebhookService;
  webhookDispatcher: WebhookDispatcher;
  rateLimits: RateLimits;
}

export function createServices(db: DataSource, config: Config): Services {
  const reads = new ReadQueries(db, config.db.pooler === 'none');
  const apps = new AppService(db, reads);
  const partitions = new PartitionManager(db, config.telemetry);
  const deviceIds = new DeviceIdHasher(config);
  const versions = new AppVersionService(db, apps);
  const rateLimits = new RateLimits(config.rateLimits);
  return {
    reads,
    auth: new AuthService(db, reads, rateLimits, { bcryptCost: config.bcryptCost, sessionTtlHours: config.sessionTtlHours }),
    developers: new DeveloperService(db),
    apiKeys: new ApiKeyService(db),
    audit: new AuditService(db),
    signingKeys: new SigningKeyService(db),
    apps,
    search: new SearchService(db),
    nodes: new NodeService(db),
    versions,
    partitions,
    telemetry: new TelemetryService(db, reads, partitions, deviceIds, config.telemetry),
    crashes: new CrashService(db, reads, deviceIds, { retentionDays: config.telemetry.retentionDays }),
    rollouts: new RolloutService(db, versions, config.releases),
    versionHealth: new VersionHealthService(db),
    webhooks: new WebhookService(db, apps, config.webhooks),
    webhookDispatcher: new WebhookDispatcher(db, config.webhooks),
    rateLimits,
  };
}
