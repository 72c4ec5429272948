import { ArrayMaxSize, ArrayMinSize, IsOptional, MaxLength } from 'class-validator';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Connection } from '../graphql/connection';

export enum WebhookDeliveryStatus {
  PENDING = 'pending',
  DELIVERED = 'delivered',
  FAILED = 'failed',
}
registerEnumType(WebhookDeliveryStatus, { name: 'WebhookDeliveryStatus' });

@ObjectType({ simpleResolvers: true, description: 'One message to one webhook: its attempts so far and how they went.' })
export class WebhookDelivery {
  @Field(() => ID)
  id!: string;

  webhookId!: string;

  @Field({ description: 'The event type, e.g. version.published.' })
  event!: string;

  @Field(() => WebhookDeliveryStatus)
  status!: WebhookDeliveryStatus;

  @Field(() => Int)
  attempts!: number;

  @Field(() => Int, { nullable: true, description: 'HTTP status of the last answer, if one came.' })
  responseStatus!: number | null;

  @Field(() => String, { nullable: true, description: 'Why the last attempt failed, when no answer came.' })
  lastError!: string | null;

  @Field()
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  lastAttemptAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When the next attempt is due (null once DELIVERED or FAILED).' })
  nextAttemptAt!: Date | null;

  /** created_at with microseconds, for the keyset cursor. */
  cursorCreatedAt!: string;
}

export const WebhookDeliveryConnection = Connection('WebhookDelivery', WebhookDelivery);

@ObjectType({ simpleResolvers: true, description: 'An https endpoint that receives signed POSTs (Standard Webhooks) for the events it subscribes to.' })
export class Webhook {
  @Field(() => ID)
  id!: string;

  developerId!: string;

  @Field()
  url!: string;

  @Field(() => [String])
  events!: string[];

  @Field(() => ID, { nullable: true, description: 'Only this app; null for all the developer\'s apps.' })
  appId!: string | null;

  @Field()
  createdAt!: Date;
}

@InputType()
export class CreateWebhookInput {
  @Field({ description: 'https:// on a public address.' })
  @MaxLength(2048, { message: 'must be at most 2048 characters' })
  url!: string;

  @Field(() => [String], { description: 'Event types: version.submitted, version.approved, version.rejected, version.published, rollout.updated, rollout.halted, crash_group.created.' })
  @ArrayMinSize(1, { message: 'name at least one event type' })
  @ArrayMaxSize(20, { message: 'at most 20 event types' })
  @MaxLength(50, { each: true, message: 'each event type must be at most 50 characters' })
  events!: string[];

  @Field(() => ID, { nullable: true, description: 'Only this app\'s events; absent for all your apps.' })
  @IsOptional()
  appId?: string | null;
}

@ObjectType({ simpleResolvers: true })
export class CreateWebhookPayload {
  @Field(() => Webhook)
  webhook!: Webhook;

  @Field({ description: 'whsec_<base64 key>: verify signatures with it. Shown once, never again.' })
  secret!: string;
}
