import { Args, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { App } from '../apps/app.entity';
import { requireScope } from '../auth/guards';
import type { ConnectionData } from '../graphql/connection';
import type { RequestContext } from '../graphql/context';
import { assertId } from '../graphql/ids';
import { assertMayReadTelemetry } from './telemetry-access';
import { TelemetryDailyRow } from './telemetry-daily.entity';
import type { TelemetryEvent } from './telemetry-event.entity';
import { dailyRange, eventListRequest } from './telemetry.service';
import { TelemetryDailyArgs, TelemetryDailyRangeArgs, TelemetryEventConnection, TelemetryEventsArgs } from './telemetry.types';

@Resolver()
export class TelemetryResolver {
  @Query(() => [TelemetryDailyRow], {
    description: 'Daily event counts and unique devices of your app, per UTC day and event type, ordered by date then event type. Needs telemetry:read.',
  })
  async telemetryDaily(@Args() args: TelemetryDailyArgs, @Ctx() ctx: RequestContext): Promise<TelemetryDailyRow[]> {
    const principal = requireScope(ctx, 'telemetry:read');
    const appId = assertId('appId', args.appId);
    const { telemetry } = ctx.services;
    const range = await telemetry.validatedAfterAuthorization(principal, appId, () => dailyRange(args.from, args.to, args.eventType));
    return telemetry.dailyOfApp(principal, appId, range);
  }

  @Query(() => TelemetryEventConnection, { description: 'Raw events of your app in a time range, newest first. Needs telemetry:read.' })
  async telemetryEvents(@Args() args: TelemetryEventsArgs, @Ctx() ctx: RequestContext): Promise<ConnectionData<TelemetryEvent>> {
    const principal = requireScope(ctx, 'telemetry:read');
    const appId = assertId('appId', args.appId);
    const { telemetry } = ctx.services;
    const { filter, page } = await telemetry.validatedAfterAuthorization(principal, appId, () => eventListRequest(args));
    return telemetry.events(principal, appId, filter, page);
  }
}

@Resolver(() => App)
export class AppTelemetryResolver {
  @FieldResolver(() => [TelemetryDailyRow], {
    description: 'Daily event counts and unique devices, as Query.telemetryDaily. Only for the developer and admins (telemetry:read).',
  })
  telemetryDaily(@Root() app: App, @Args() args: TelemetryDailyRangeArgs, @Ctx() ctx: RequestContext): Promise<TelemetryDailyRow[]> {
    assertMayReadTelemetry(requireScope(ctx, 'telemetry:read'), app);
    const range = dailyRange(args.from, args.to, args.eventType);
    const { telemetry } = ctx.services;
    return ctx.loaders.keyed.get('telemetryDaily', range, (ids) => telemetry.dailyForApps(ids, range)).load(app.id);
  }
}
