import { Args, Ctx, Query, Resolver } from 'type-graphql';
import { requireScope } from '../auth/guards';
import type { RequestContext } from '../graphql/context';
import { assertId } from '../graphql/ids';
import { dailyRange } from '../telemetry/telemetry.service';
import { VersionHealth, VersionHealthArgs } from './version-health.types';

@Resolver()
export class VersionHealthResolver {
  @Query(() => [VersionHealth], {
    description: 'Active and crashed devices per UTC day and app version of your app, ordered by date then version. Needs telemetry:read; the developer and admins.',
  })
  async versionHealth(@Args() args: VersionHealthArgs, @Ctx() ctx: RequestContext): Promise<VersionHealth[]> {
    const principal = requireScope(ctx, 'telemetry:read');
    const appId = assertId('appId', args.appId);
    await ctx.services.telemetry.authorizeRead(principal, appId);
    return ctx.services.versionHealth.daily(appId, dailyRange(args.from, args.to, null));
  }
}
