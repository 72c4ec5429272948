import { Matches } from 'class-validator';
import { Field, InputType } from 'type-graphql';

@InputType()
export class RegisterSigningKeyInput {
  @Field()
  @Matches(/\S/, { message: 'must not be blank' })
  name!: string;

  @Field({ description: 'Ed25519 public key, PEM-encoded SPKI ("-----BEGIN PUBLIC KEY-----").' })
  publicKey!: string;
}
