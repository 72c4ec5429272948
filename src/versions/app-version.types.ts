import { ArrayMaxSize, IsInt, IsOptional, IsUrl, Matches, Min } from 'class-validator';
import { GraphQLBigInt } from 'graphql-scalars';
import { Field, ID, InputType, Int } from 'type-graphql';

@InputType()
export class CreateVersionInput {
  @Field(() => ID)
  appId!: string;

  @Field(() => Int, { description: 'Must exceed every existing versionCode of the app.' })
  @IsInt()
  @Min(1, { message: 'must be a positive integer' })
  versionCode!: number;

  @Field()
  @Matches(/\S/, { message: 'must not be blank' })
  versionName!: string;

  @Field({ description: 'Where devices download the package; https only.' })
  @IsUrl({ protocols: ['https'], require_protocol: true, require_tld: false }, { message: 'must be an https:// URL' })
  packageUrl!: string;

  @Field(() => GraphQLBigInt, { description: 'Bytes; greater than 0.' })
  packageSize!: bigint;

  @Field({ description: 'SHA-256 of the package: 64 lowercase hex characters.' })
  @Matches(/^[0-9a-f]{64}$/, { message: 'must be 64 lowercase hex characters' })
  packageSha256!: string;

  @Field({ description: 'Base64 Ed25519 signature over "mosis-package-v1:<packageId>:<versionCode>:<packageSha256>".' })
  signature!: string;

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(100, { message: 'at most 100 permissions' })
  permissions?: string[] | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  minMosisVersion?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  releaseNotes?: string | null;
}
