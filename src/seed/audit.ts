import type { Developers } from './accounts';
import type { Apps } from './catalog';
import { iso, type SeedContext } from './context';
import type { Random } from './random';

/** What the audit log records most: sign-ins dwarf everything else, as in any account system. */
const ACTIONS = [
  'developer.sign_in', 'developer.sign_in_failed', 'developer.sign_out', 'app.update', 'version.create', 'version.submit',
  'version.approve', 'version.publish', 'version.reject', 'api_key.create', 'api_key.revoke', 'app.create',
  'signing_key.register',
] as const;
const ACTION_WEIGHTS = [50, 8, 10, 7, 5, 4, 3, 3, 1, 4, 1, 3, 1];

/** A year of audit rows, oldest first (ids follow time, as appends do), actors skewed like activity. */
export async function seedAuditLogs(ctx: SeedContext, developers: Developers, apps: Apps): Promise<void> {
  const rng = ctx.random('audit_logs');
  const count = ctx.scale.auditLogs;
  const start = ctx.daysBefore(365);
  const step = (ctx.until.getTime() - start) / count;
  const columns = ['actor_id', 'action', 'target_type', 'target_id', 'metadata', 'ip', 'created_at'];
  await ctx.copy('audit_logs', columns, async (write) => {
    for (let i = 0; i < count; i++) {
      const action = rng.weighted(ACTIONS, ACTION_WEIGHTS);
      const app = rng.skewed(apps.ids.length, 2);
      const actor = action.startsWith('developer.') || action.startsWith('api_key.') || action.startsWith('signing_key.')
        ? rng.skewed(developers.ids.length, 2)
        : apps.developer[app];
      const [targetType, targetId, metadata] = target(rng, action, developers.ids[actor], apps, app);
      await write([
        action === 'developer.sign_in_failed' ? null : developers.ids[actor], action, targetType, targetId, metadata,
        `${rng.between(1, 223)}.${rng.int(256)}.${rng.int(256)}.${rng.between(1, 254)}`, iso(start + (i + rng.float()) * step),
      ]);
    }
  });
}

function target(rng: Random, action: string, developerId: string, apps: Apps, app: number): [string, string, string] {
  switch (action.split('.')[0]) {
    case 'app':
      return ['app', apps.ids[app], action === 'app.create' ? `{"packageId": "${apps.packageIds[app]}"}` : '{"fields": ["description"]}'];
    case 'version':
      return ['app_version', rng.uuid(), `{"appId": "${apps.ids[app]}"}`];
    case 'api_key':
      return ['api_key', rng.uuid(), action === 'api_key.create' ? '{"scopes": ["telemetry:write"]}' : '{}'];
    case 'signing_key':
      return ['signing_key', rng.uuid(), '{}'];
    default:
      return action === 'developer.sign_in_failed'
        ? ['developer', developerId, '{"reason": "wrong password"}']
        : ['developer', developerId, '{}'];
  }
}
