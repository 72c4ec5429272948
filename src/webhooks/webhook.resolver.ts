import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { isSelfOrAdmin, requireScope } from '../auth/guards';
import { Developer } from '../developers/developer.entity';
import { type ConnectionData, PageArgs, parsePage } from '../graphql/connection';
import type { RequestContext } from '../graphql/context';
import { forbidden } from '../graphql/errors';
import { assertId } from '../graphql/ids';
import { assertValid } from '../graphql/validation';
import { DELIVERY_CURSOR } from './webhook.service';
import {
  CreateWebhookInput, CreateWebhookPayload, Webhook, WebhookDelivery, WebhookDeliveryConnection,
} from './webhook.types';

@Resolver(() => Webhook)
export class WebhookResolver {
  @Mutation(() => CreateWebhookPayload, { description: 'Registers a webhook; the secret is shown once. Needs account:write.' })
  createWebhook(
    @Arg('input', () => CreateWebhookInput, { validate: false }) input: CreateWebhookInput,
    @Ctx() ctx: RequestContext,
  ): Promise<CreateWebhookPayload> {
    const principal = requireScope(ctx, 'account:write');
    const appId = input.appId == null ? null : assertId('appId', input.appId);
    return ctx.services.webhooks.create(principal, { url: input.url, events: input.events, appId }, () => assertValid(input), ctx.ip);
  }

  @Mutation(() => Webhook, { description: 'Deletes one of your webhooks, dropping its pending deliveries. Needs account:write.' })
  deleteWebhook(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<Webhook> {
    const principal = requireScope(ctx, 'account:write');
    return ctx.services.webhooks.delete(principal, id, ctx.ip);
  }

  @Mutation(() => WebhookDelivery, { description: 'Sends a delivery\'s message again (same webhook-id) as a new delivery. Needs account:write.' })
  redeliverWebhookDelivery(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<WebhookDelivery> {
    const principal = requireScope(ctx, 'account:write');
    return ctx.services.webhooks.redeliver(principal, id, ctx.ip);
  }

  @FieldResolver(() => WebhookDeliveryConnection, { description: 'The delivery log, newest first. Needs account:read.' })
  deliveries(@Root() webhook: Webhook, @Args() args: PageArgs, @Ctx() ctx: RequestContext): Promise<ConnectionData<WebhookDelivery>> {
    const principal = requireScope(ctx, 'account:read');
    if (!isSelfOrAdmin(principal, webhook.developerId)) throw forbidden("Another developer's webhook deliveries are not visible to you.");
    return ctx.services.webhooks.deliveries(webhook.id, parsePage(args, DELIVERY_CURSOR));
  }
}

@Resolver(() => Developer)
export class DeveloperWebhooksResolver {
  @FieldResolver(() => [Webhook], { description: 'Visible to the developer themself and admins; needs account:read.' })
  webhooks(@Root() developer: Developer, @Ctx() ctx: RequestContext): Promise<Webhook[]> {
    const principal = requireScope(ctx, 'account:read');
    if (!isSelfOrAdmin(principal, developer.id)) throw forbidden("Another developer's webhooks are not visible to you.");
    const { webhooks } = ctx.services;
    return ctx.loaders.keyed.get('webhooksByDeveloper', null, (ids) => webhooks.listForDevelopers(ids)).load(developer.id);
  }
}
