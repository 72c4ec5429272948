import { GraphQLBigInt, GraphQLDate } from 'graphql-scalars';
import { ArgsType, Field, ID } from 'type-graphql';
import { Connection, PageArgs } from '../graphql/connection';
import { TelemetryEvent } from './telemetry-event.entity';

export const TelemetryEventConnection = Connection('TelemetryEvent', TelemetryEvent, GraphQLBigInt);

@ArgsType()
export class TelemetryDailyRangeArgs {
  @Field(() => GraphQLDate, { description: 'First UTC day, inclusive.' })
  from!: Date;

  @Field(() => GraphQLDate, { description: 'Last UTC day, inclusive (at most 366 days after from).' })
  to!: Date;

  @Field(() => String, { nullable: true, description: 'Only this event type.' })
  eventType?: string | null;
}

@ArgsType()
export class TelemetryDailyArgs extends TelemetryDailyRangeArgs {
  @Field(() => ID)
  appId!: string;
}

@ArgsType()
export class TelemetryEventsArgs extends PageArgs {
  @Field(() => ID)
  appId!: string;

  @Field(() => Date, { description: 'Earliest event time, inclusive.' })
  from!: Date;

  @Field(() => Date, { description: 'Latest event time, inclusive.' })
  to!: Date;

  @Field(() => String, { nullable: true, description: 'Only this event type.' })
  eventType?: string | null;
}
