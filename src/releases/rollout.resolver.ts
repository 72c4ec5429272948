import { Arg, Args, Ctx, FieldResolver, Float, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { requireScope } from '../auth/guards';
import type { RequestContext } from '../graphql/context';
import { AppVersion } from '../versions/app-version.entity';
import { PublishArgs, Rollout, rolloutOf } from './rollout.types';

const OWNER_ONLY = "The app's owner (apps:write).";

@Resolver(() => AppVersion)
export class RolloutResolver {
  @Mutation(() => AppVersion, {
    description: 'APPROVED → PUBLISHED. The app owner; the first publish makes a draft app PUBLISHED. Without rollout arguments (or at 100%) every device is offered it at once; otherwise a staged rollout starts.',
  })
  publishVersion(@Args() args: PublishArgs, @Ctx() ctx: RequestContext): Promise<AppVersion> {
    const principal = requireScope(ctx, 'apps:write');
    return ctx.services.rollouts.publish(principal, args.id, args, ctx.ip);
  }

  @Mutation(() => AppVersion, { description: `Raises a rollout's percentage (only upward; 100 completes it). ${OWNER_ONLY}` })
  updateRollout(
    @Arg('versionId', () => ID) versionId: string,
    @Arg('percentage', () => Float) percentage: number,
    @Ctx() ctx: RequestContext,
  ): Promise<AppVersion> {
    const principal = requireScope(ctx, 'apps:write');
    return ctx.services.rollouts.update(principal, versionId, percentage, ctx.ip);
  }

  @Mutation(() => AppVersion, { description: `Stops a rollout from growing (phased steps wait); devices already included keep it. ${OWNER_ONLY}` })
  pauseRollout(@Arg('versionId', () => ID) versionId: string, @Ctx() ctx: RequestContext): Promise<AppVersion> {
    const principal = requireScope(ctx, 'apps:write');
    return ctx.services.rollouts.pause(principal, versionId, ctx.ip);
  }

  @Mutation(() => AppVersion, { description: `PAUSED → ACTIVE. ${OWNER_ONLY}` })
  resumeRollout(@Arg('versionId', () => ID) versionId: string, @Ctx() ctx: RequestContext): Promise<AppVersion> {
    const principal = requireScope(ctx, 'apps:write');
    return ctx.services.rollouts.resume(principal, versionId, ctx.ip);
  }

  @Mutation(() => AppVersion, { description: `Stops offering the version to anyone; final. ${OWNER_ONLY}` })
  haltRollout(
    @Arg('versionId', () => ID) versionId: string,
    @Arg('reason', () => String) reason: string,
    @Ctx() ctx: RequestContext,
  ): Promise<AppVersion> {
    const principal = requireScope(ctx, 'apps:write');
    return ctx.services.rollouts.halt(principal, versionId, reason, ctx.ip);
  }

  @Mutation(() => AppVersion, { description: `Offers the version to every device (COMPLETE, 100%). ${OWNER_ONLY}` })
  completeRollout(@Arg('versionId', () => ID) versionId: string, @Ctx() ctx: RequestContext): Promise<AppVersion> {
    const principal = requireScope(ctx, 'apps:write');
    return ctx.services.rollouts.complete(principal, versionId, ctx.ip);
  }

  @Query(() => AppVersion, {
    nullable: true,
    description: 'For devices: the highest published version above currentVersionCode that this device is offered; null when there is none.',
  })
  appUpdate(
    @Arg('packageId', () => String) packageId: string,
    @Arg('deviceId', () => String) deviceId: string,
    @Arg('currentVersionCode', () => Int, { nullable: true }) currentVersionCode: number | null,
    @Ctx() ctx: RequestContext,
  ): Promise<AppVersion | null> {
    return ctx.services.rollouts.forDevice(packageId, deviceId, currentVersionCode ?? null);
  }

  @FieldResolver(() => Rollout, { nullable: true, description: 'Null for versions never published.' })
  rollout(@Root() version: AppVersion): Rollout | null {
    return rolloutOf(version);
  }
}
