import { GraphQLDate } from 'graphql-scalars';
import { ArgsType, Field, Float, ID, Int, ObjectType } from 'type-graphql';

@ObjectType({ simpleResolvers: true, description: 'One UTC day of one app version: distinct devices that used it, and those that crashed.' })
export class VersionHealth {
  @Field(() => GraphQLDate)
  date!: string;

  @Field({ description: 'AppVersion.versionName, as devices reported it.' })
  appVersion!: string;

  @Field(() => Int, { description: 'Distinct devices with a telemetry event or crash report for this version that day.' })
  activeDevices!: number;

  @Field(() => Int, { description: 'Distinct devices with a crash report for this version that day.' })
  crashedDevices!: number;

  @Field(() => Float, { description: '1 − crashedDevices / activeDevices.' })
  crashFreeRate!: number;
}

@ArgsType()
export class VersionHealthArgs {
  @Field(() => ID)
  appId!: string;

  @Field(() => GraphQLDate, { description: 'First UTC day, inclusive.' })
  from!: Date;

  @Field(() => GraphQLDate, { description: 'Last UTC day, inclusive (at most 366 days after from).' })
  to!: Date;
}
