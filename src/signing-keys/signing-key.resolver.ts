import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { isSelfOrAdmin, requireScope } from '../auth/guards';
import { Developer } from '../developers/developer.entity';
import type { RequestContext } from '../graphql/context';
import { forbidden } from '../graphql/errors';
import { assertId } from '../graphql/ids';
import { SigningKey } from './signing-key.entity';
import { RegisterSigningKeyInput } from './signing-key.types';

@Resolver()
export class SigningKeyResolver {
  @Mutation(() => SigningKey)
  registerSigningKey(@Arg('input') input: RegisterSigningKeyInput, @Ctx() ctx: RequestContext): Promise<SigningKey> {
    const principal = requireScope(ctx, 'apps:write');
    return ctx.services.signingKeys.register(principal, { name: input.name.trim(), publicKey: input.publicKey }, ctx.ip);
  }

  @Mutation(() => SigningKey, { description: 'Stops a key from signing new versions; versions it signed stay valid.' })
  deactivateSigningKey(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<SigningKey> {
    const principal = requireScope(ctx, 'apps:write');
    return ctx.services.signingKeys.deactivate(principal, assertId('id', id), ctx.ip);
  }
}

@Resolver(() => Developer)
export class DeveloperSigningKeysResolver {
  @FieldResolver(() => [SigningKey], { description: 'Visible to the developer themself and admins.' })
  signingKeys(@Root() developer: Developer, @Ctx() ctx: RequestContext): Promise<SigningKey[]> {
    if (!isSelfOrAdmin(ctx.principal, developer.id)) {
      throw forbidden("Another developer's signing keys are not visible to you.");
    }
    return ctx.loaders.signingKeysByDeveloper.load(developer.id);
  }
}
