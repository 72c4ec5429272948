import { Args, Ctx, Query, Resolver } from 'type-graphql';
import { requireScope } from '../auth/guards';
import type { ConnectionData } from '../graphql/connection';
import type { RequestContext } from '../graphql/context';
import { assertId } from '../graphql/ids';
import { crashGroupsRequest } from './crash.service';
import { type CrashGroup, CrashGroupConnection, CrashGroupsArgs } from './crash-group.types';

@Resolver()
export class CrashResolver {
  @Query(() => CrashGroupConnection, { description: 'Crash groups of your app, most crashes first. Needs telemetry:read.' })
  async crashGroups(@Args() args: CrashGroupsArgs, @Ctx() ctx: RequestContext): Promise<ConnectionData<CrashGroup>> {
    const principal = requireScope(ctx, 'telemetry:read');
    const appId = assertId('appId', args.appId);
    const { range, page } = await ctx.services.telemetry.validatedAfterAuthorization(principal, appId, () => crashGroupsRequest(args));
    return ctx.services.crashes.groups(principal, appId, range, page);
  }
}
