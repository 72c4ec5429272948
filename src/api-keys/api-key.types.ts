import { ArrayMaxSize, Matches } from 'class-validator';
import { Field, InputType, ObjectType } from 'type-graphql';
import { SCOPES } from '../auth/scopes';
import { ApiKey } from './api-key.entity';

@InputType()
export class CreateApiKeyInput {
  @Field()
  @Matches(/\S/, { message: 'must not be blank' })
  name!: string;

  @Field(() => [String], { description: `Any of ${SCOPES.join(', ')}. Through an API key, only permissions it holds itself.` })
  @ArrayMaxSize(16, { message: 'lists too many permissions' })
  permissions!: string[];

  @Field(() => Date, { nullable: true, description: 'When the key stops working; never if omitted.' })
  expiresAt?: Date | null;
}

@ObjectType({ simpleResolvers: true })
export class CreateApiKeyPayload {
  @Field(() => ApiKey)
  apiKey!: ApiKey;

  @Field({ description: 'The secret, shown this once. Send it as "Authorization: Bearer <secret>".' })
  secret!: string;
}
