import { Arg, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { isSelfOrAdmin, requirePrincipal, requireScope } from '../auth/guards';
import type { RequestContext } from '../graphql/context';
import { forbidden } from '../graphql/errors';
import { Developer } from './developer.entity';
import { isStaff, Role } from './role';

@Resolver(() => Developer)
export class DeveloperResolver {
  @Query(() => Developer, { nullable: true, description: 'The signed-in developer (or the owner of the API key).' })
  me(@Ctx() ctx: RequestContext): Promise<Developer | null> {
    return ctx.loaders.developerById.load(requirePrincipal(ctx).developerId);
  }

  @Query(() => Developer, { nullable: true, description: 'Admins, or the developer themself. Through an API key: account:read.' })
  async developerByEmail(@Arg('email') email: string, @Ctx() ctx: RequestContext): Promise<Developer | null> {
    const principal = requireScope(ctx, 'account:read');
    const developer = await ctx.services.developers.findByEmail(email);
    // Same answer for "someone else" and "nobody": a stranger learns nothing about which emails exist.
    if (!developer ? principal.role !== Role.ADMIN : !isSelfOrAdmin(principal, developer.id)) {
      throw forbidden('Only admins may look up other developers by email.');
    }
    return developer;
  }

  @FieldResolver(() => String, { description: 'Visible to the developer themself, reviewers and admins. Through an API key: account:read.' })
  email(@Root() developer: Developer, @Ctx() ctx: RequestContext): string {
    const principal = ctx.principal;
    if (principal && (principal.developerId === developer.id || isStaff(principal.role))) {
      requireScope(ctx, 'account:read');
      return developer.email;
    }
    throw forbidden("Another developer's email is visible only to reviewers and admins.");
  }
}
