import { ArrayMaxSize, IsInt, IsOptional, IsUrl, Matches, MaxLength, Min } from 'class-validator';
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
  @MaxLength(20, { message: 'must be at most 20 characters' })
  @Matches(/\S/, { message: 'must not be blank' })
  versionName!: string;

  @Field({ description: 'Where devices download the package; https only.' })
  @MaxLength(2048, { message: 'must be at most 2048 characters' })
  @IsUrl({ protocols: ['https'], require_protocol: true, require_tld: false }, { message: 'must be an https:// URL' })
  packageUrl!: string;

  @Field(() => GraphQLBigInt, { description: 'Bytes; greater than 0.' })
  packageSize!: bigint;

  @Field({ description: 'SHA-256 of the package: 64 lowercase hex characters.' })
  @Matches(/^[0-9a-f]{64}$/, { message: 'must be 64 lowercase hex characters' })
  packageSha256!: string;

  @Field({ description: 'Base64 Ed25519 signature over "mosis-package-v1:<packageId>:<versionCode>:<packageSha256>".' })
  @MaxLength(512, { message: 'must be at most 512 characters' })
  signature!: string;

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(100, { message: 'at most 100 permissions' })
  @MaxLength(100, { each: true, message: 'each permission must be at most 100 characters' })
  permissions?: string[] | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(20, { message: 'must be at most 20 characters' })
  minMosisVersion?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(10000, { message: 'must be at most 10000 characters' })
  releaseNotes?: string | null;
}
