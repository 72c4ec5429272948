import { GraphQLBigInt } from 'graphql-scalars';
import { ArgsType, Field, ID, ObjectType } from 'type-graphql';
import { Connection, PageArgs } from '../graphql/connection';

@ObjectType({ simpleResolvers: true, description: 'Crashes of one app that share a fingerprint: the same crash type and normalized top stack frames.' })
export class CrashGroup {
  @Field({ description: 'Lowercase hex SHA-256 of the crash type and the normalized top five frames.' })
  fingerprint!: string;

  @Field()
  crashType!: string;

  @Field({ description: 'The crash type and its top frame (or its message when it has no stack trace), from the first report.' })
  title!: string;

  @Field(() => GraphQLBigInt, { description: 'Crash reports in the range.' })
  count!: string;

  @Field(() => GraphQLBigInt, { description: 'Distinct devices that sent them.' })
  affectedDevices!: string;

  @Field()
  firstSeen!: Date;

  @Field()
  lastSeen!: Date;

  @Field(() => [String], { description: 'App versions the crash was seen in, sorted.' })
  appVersions!: string[];
}

export const CrashGroupConnection = Connection('CrashGroup', CrashGroup);

@ArgsType()
export class CrashGroupsArgs extends PageArgs {
  @Field(() => ID)
  appId!: string;

  @Field(() => Date, { nullable: true, description: 'Only crashes at or after this time.' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Only crashes at or before this time.' })
  to?: Date | null;
}
