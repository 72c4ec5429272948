import { Args, Ctx, Query, Resolver } from 'type-graphql';
import { requireScope } from '../auth/guards';
import { type ConnectionData, parsePage } from '../graphql/connection';
import type { RequestContext } from '../graphql/context';
import { assertId } from '../graphql/ids';
import { CRASH_GROUP_CURSOR, crashRange } from './crash.service';
import { type CrashGroup, CrashGroupConnection, CrashGroupsArgs } from './crash-group.types';

@Resolver()
export class CrashResolver {
  @Query(() => CrashGroupConnection, { description: 'Crash groups of your app, most crashes first. Needs telemetry:read.' })
  async crashGroups(@Args() args: CrashGroupsArgs, @Ctx() ctx: RequestContext): Promise<ConnectionData<CrashGroup>> {
    const principal = requireScope(ctx, 'telemetry:read');
    const appId = assertId('appId', args.appId);
    const { range, page } = await ctx.services.telemetry.validatedAfterAuthorization(principal, appId, () => ({
      range: crashRange(args.from, args.to),
      page: parsePage(args, CRASH_GROUP_CURSOR),
    }));
    return ctx.services.crashes.groups(principal, appId, range, page);
  }
}
