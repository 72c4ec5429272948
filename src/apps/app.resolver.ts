import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, ID, Info, Mutation, Query, Resolver, Root } from 'type-graphql';
import { requireScope } from '../auth/guards';
import { Developer } from '../developers/developer.entity';
import { Connection, type ConnectionData, PageArgs, parsePage, toConnection } from '../graphql/connection';
import type { RequestContext } from '../graphql/context';
import { assertId } from '../graphql/ids';
import { assertValid } from '../graphql/validation';
import { App } from './app.entity';
import { type AppWithRelations, primeRelations, selectedAppRelations } from './app-relations';
import { AppsArgs, CreateAppInput, SearchAppsArgs, UpdateAppInput } from './app.types';
import { APP_CURSOR, appListRequest, appLookupKey } from './app.service';
import { SEARCH_CURSOR } from './search.service';
import { viewerOf } from './visibility';

export const AppConnection = Connection('App', App);

@Resolver(() => App)
export class AppResolver {
  @Query(() => App, { nullable: true, description: 'By id or by packageId (give exactly one). Null when it does not exist or is not visible to you.' })
  async app(
    @Arg('id', () => ID, { nullable: true }) id: string | null,
    @Arg('packageId', () => String, { nullable: true }) packageId: string | null,
    @Ctx() ctx: RequestContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<App | null> {
    const app = await ctx.services.apps.findVisible(viewerOf(ctx.principal), appLookupKey(id, packageId), selectedAppRelations(info));
    if (app) primeApp(ctx, app);
    return app;
  }

  @Query(() => AppConnection, { description: 'Newest first. Drafts and suspended apps appear only to their owner, reviewers and admins.' })
  async apps(@Args() args: AppsArgs, @Ctx() ctx: RequestContext, @Info() info: GraphQLResolveInfo): Promise<ConnectionData<App>> {
    const { filter, page } = appListRequest(args);
    const connection = await ctx.services.apps.list(viewerOf(ctx.principal), filter, page, selectedAppRelations(info, ['edges', 'node']));
    return primeApps(ctx, connection);
  }

  @Query(() => AppConnection, { description: 'Published apps ranked by relevance to the query; all given tags must match.' })
  async searchApps(@Args() args: SearchAppsArgs, @Ctx() ctx: RequestContext): Promise<ConnectionData<App>> {
    const connection = await ctx.services.search.search(
      { query: args.query ?? null, tags: args.tags ?? [], category: args.category ?? null },
      parsePage(args, SEARCH_CURSOR),
    );
    return primeApps(ctx, connection);
  }

  @Mutation(() => App)
  createApp(@Arg('input') input: CreateAppInput, @Ctx() ctx: RequestContext): Promise<App> {
    return ctx.services.apps.create(requireScope(ctx, 'apps:write'), input, ctx.ip);
  }

  @Mutation(() => App, { description: 'The owner edits any subset of name, description, category and tags.' })
  updateApp(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateAppInput, { validate: false }) input: UpdateAppInput,
    @Ctx() ctx: RequestContext,
  ): Promise<App> {
    const principal = requireScope(ctx, 'apps:write');
    return ctx.services.apps.update(principal, assertId('id', id), input, () => assertValid(input), ctx.ip);
  }

  @Mutation(() => App, { description: 'Admins only.' })
  suspendApp(@Arg('id', () => ID) id: string, @Arg('reason') reason: string, @Ctx() ctx: RequestContext): Promise<App> {
    return ctx.services.apps.suspend(requireScope(ctx, 'apps:write'), id, reason, ctx.ip);
  }

  @FieldResolver(() => Developer)
  async developer(@Root() app: AppWithRelations, @Ctx() ctx: RequestContext): Promise<Developer> {
    return app.related?.developer ?? (await ctx.loaders.developerById.load(app.developerId))!;
  }
}

/**
 * An app already fetched needs no second trip when a version asks for its app, nor does its
 * developer. The loader gets the app without its prefetched relations: those were read for this
 * place's selection, not for whatever selection reaches the app through the loader.
 */
function primeApp(ctx: RequestContext, app: AppWithRelations): void {
  const { related: _selectedHere, ...plain } = app;
  ctx.loaders.appById.prime(app.id, plain);
  primeRelations(ctx.loaders, app);
}

function primeApps(ctx: RequestContext, connection: ConnectionData<AppWithRelations>): ConnectionData<App> {
  for (const { node } of connection.edges) primeApp(ctx, node);
  return connection;
}

@Resolver(() => Developer)
export class DeveloperAppsResolver {
  @FieldResolver(() => AppConnection, { description: 'Newest first; drafts and suspended apps only for the owner, reviewers and admins.' })
  async apps(@Root() developer: Developer, @Args() args: PageArgs, @Ctx() ctx: RequestContext): Promise<ConnectionData<App>> {
    const page = parsePage(args, APP_CURSOR);
    const viewer = viewerOf(ctx.principal);
    const { apps } = ctx.services;
    const rows = await ctx.loaders.keyed
      .get('appsByDeveloper', { page, viewer }, (ids) => apps.pageForDevelopers(viewer, ids, page))
      .load(developer.id);
    const count = () =>
      ctx.loaders.keyed.get('appCountByDeveloper', { viewer }, (ids) => apps.countForDevelopers(viewer, ids)).load(developer.id);
    return primeApps(ctx, toConnection(rows, page, (r) => [(r as App & { cursorCreatedAt: string }).cursorCreatedAt, r.id], count));
  }
}
