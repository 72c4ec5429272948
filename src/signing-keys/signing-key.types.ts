import { Matches, MaxLength } from 'class-validator';
import { Field, InputType } from 'type-graphql';

@InputType()
export class RegisterSigningKeyInput {
  @Field()
  @MaxLength(100, { message: 'must be at most 100 characters' })
  @Matches(/\S/, { message: 'must not be blank' })
  name!: string;

  @Field({ description: 'Ed25519 public key, PEM-encoded SPKI ("-----BEGIN PUBLIC KEY-----").' })
  @MaxLength(2000, { message: 'is too long for an Ed25519 public key' })
  publicKey!: string;
}
