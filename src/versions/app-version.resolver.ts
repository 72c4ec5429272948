import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { App } from '../apps/app.entity';
import type { AppWithRelations } from '../apps/app-relations';
import { viewerOf } from '../apps/visibility';
import { requireRole, requireScope } from '../auth/guards';
import { Role } from '../developers/role';
import { Connection, type ConnectionData, PageArgs, parsePage, toConnection } from '../graphql/connection';
import type { RequestContext } from '../graphql/context';
import { assertId } from '../graphql/ids';
import { assertValid } from '../graphql/validation';
import { AppVersion } from './app-version.entity';
import { REVIEW_QUEUE_CURSOR, VERSION_CURSOR } from './app-version.service';
import { CreateVersionInput } from './app-version.types';

export const AppVersionConnection = Connection('AppVersion', AppVersion);

@Resolver(() => AppVersion)
export class AppVersionResolver {
  @Query(() => AppVersionConnection, {
    description: 'The review queue: versions in REVIEW of any app, longest waiting first. Reviewers and admins; needs apps:read.',
  })
  versionsAwaitingReview(@Args() args: PageArgs, @Ctx() ctx: RequestContext): Promise<ConnectionData<AppVersion>> {
    requireScope(ctx, 'apps:read');
    requireRole(ctx, [Role.REVIEWER, Role.ADMIN], 'see the review queue');
    return ctx.services.versions.awaitingReview(parsePage(args, REVIEW_QUEUE_CURSOR));
  }

  @Mutation(() => AppVersion, { description: 'Uploads a signed build as a DRAFT version.' })
  createVersion(
    @Arg('input', () => CreateVersionInput, { validate: false }) input: CreateVersionInput,
    @Ctx() ctx: RequestContext,
  ): Promise<AppVersion> {
    const principal = requireScope(ctx, 'apps:write');
    const appId = assertId('appId', input.appId);
    return ctx.services.versions.create(principal, { ...input, appId }, () => assertValid(input), ctx.ip);
  }

  @Mutation(() => AppVersion, { description: 'DRAFT or REJECTED → REVIEW. The app owner.' })
  submitVersionForReview(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<AppVersion> {
    return ctx.services.versions.transition(requireScope(ctx, 'apps:write'), id, 'submit', null, ctx.ip);
  }

  @Mutation(() => AppVersion, { description: 'REVIEW → APPROVED. Reviewers and admins.' })
  approveVersion(
    @Arg('id', () => ID) id: string,
    @Arg('notes', () => String, { nullable: true }) notes: string | null,
    @Ctx() ctx: RequestContext,
  ): Promise<AppVersion> {
    return ctx.services.versions.transition(requireScope(ctx, 'apps:write'), id, 'approve', notes, ctx.ip);
  }

  @Mutation(() => AppVersion, { description: 'REVIEW → REJECTED, with notes saying what must change. Reviewers and admins.' })
  rejectVersion(@Arg('id', () => ID) id: string, @Arg('notes') notes: string, @Ctx() ctx: RequestContext): Promise<AppVersion> {
    return ctx.services.versions.transition(requireScope(ctx, 'apps:write'), id, 'reject', notes, ctx.ip);
  }

  @FieldResolver(() => App)
  async app(@Root() version: AppVersion, @Ctx() ctx: RequestContext): Promise<App> {
    return (await ctx.loaders.appById.load(version.appId))!;
  }
}

@Resolver(() => App)
export class AppVersionsResolver {
  @FieldResolver(() => AppVersion, { nullable: true, description: 'The published version with the highest versionCode among those fully rolled out (rollout COMPLETE).' })
  latestVersion(@Root() app: AppWithRelations, @Ctx() ctx: RequestContext): AppVersion | null | Promise<AppVersion | null> {
    const prefetched = app.related?.latestVersion;
    return prefetched !== undefined ? prefetched : ctx.loaders.latestVersionByApp.load(app.id);
  }

  @FieldResolver(() => AppVersionConnection, { description: 'Highest versionCode first; unpublished ones only for the owner, reviewers and admins.' })
  async versions(@Root() app: App, @Args() args: PageArgs, @Ctx() ctx: RequestContext): Promise<ConnectionData<AppVersion>> {
    const page = parsePage(args, VERSION_CURSOR);
    const viewer = viewerOf(ctx.principal);
    const { versions } = ctx.services;
    const rows = await ctx.loaders.keyed
      .get('versionsByApp', { page, viewer }, (ids) => versions.pageForApps(ids, viewer, page))
      .load(app.id);
    const count = () =>
      ctx.loaders.keyed.get('versionCountByApp', { viewer }, (ids) => versions.countForApps(ids, viewer)).load(app.id);
    return toConnection(rows, page, (v) => [v.versionCode], count);
  }
}
