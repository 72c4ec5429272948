import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import { App } from '../apps/app.entity';
import { viewerOf } from '../apps/visibility';
import { Developer } from '../developers/developer.entity';
import type { RequestContext } from '../graphql/context';
import { assertId } from '../graphql/ids';
import { Node } from '../graphql/node';
import { AppVersion } from '../versions/app-version.entity';

@Resolver()
export class NodeResolver {
  @Query(() => Node, {
    nullable: true,
    description: 'A Developer, App or AppVersion by id; null when it does not exist or is not visible to you, exactly as app(id) would be.',
  })
  async node(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<Node | null> {
    const nodeId = assertId('id', id);
    const type = await ctx.services.nodes.typeOf(viewerOf(ctx.principal), nodeId);
    // Rows come from SQL as plain objects; the interface resolves its type from the class.
    if (type === 'App') return asInstance(App, await ctx.loaders.appById.load(nodeId));
    if (type === 'Developer') return asInstance(Developer, await ctx.loaders.developerById.load(nodeId));
    if (type === 'AppVersion') return asInstance(AppVersion, (await ctx.services.versions.findByIds([nodeId]))[0]);
    return null;
  }
}

function asInstance<T extends object>(type: new () => T, row: T | null | undefined): T | null {
  return row ? Object.assign(new type(), row) : null;
}
