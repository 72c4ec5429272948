import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { isSelfOrAdmin, requireScope } from '../auth/guards';
import { Developer } from '../developers/developer.entity';
import type { RequestContext } from '../graphql/context';
import { forbidden } from '../graphql/errors';
import { assertId } from '../graphql/ids';
import { ApiKey } from './api-key.entity';
import { CreateApiKeyInput, CreateApiKeyPayload } from './api-key.types';

@Resolver()
export class ApiKeyResolver {
  @Mutation(() => CreateApiKeyPayload)
  createApiKey(@Arg('input') input: CreateApiKeyInput, @Ctx() ctx: RequestContext): Promise<CreateApiKeyPayload> {
    return ctx.services.apiKeys.create(
      requireScope(ctx, 'account:write'),
      { name: input.name.trim(), permissions: input.permissions, expiresAt: input.expiresAt },
      ctx.ip,
    );
  }

  @Mutation(() => ApiKey)
  revokeApiKey(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<ApiKey> {
    const principal = requireScope(ctx, 'account:write');
    return ctx.services.apiKeys.revoke(principal, assertId('id', id), ctx.ip);
  }
}

@Resolver(() => Developer)
export class DeveloperApiKeysResolver {
  @FieldResolver(() => [ApiKey], { description: 'Visible to the developer themself and admins. Through an API key: account:read.' })
  apiKeys(@Root() developer: Developer, @Ctx() ctx: RequestContext): Promise<ApiKey[]> {
    if (!isSelfOrAdmin(ctx.principal, developer.id)) {
      throw forbidden("Another developer's API keys are not visible to you.");
    }
    requireScope(ctx, 'account:read');
    return ctx.loaders.apiKeysByDeveloper.load(developer.id);
  }
}
