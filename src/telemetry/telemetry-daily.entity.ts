import { GraphQLBigInt, GraphQLDate } from 'graphql-scalars';
import { Field, ObjectType } from 'type-graphql';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Per app, UTC day and event type: exact event count and exact distinct devices. */
@ObjectType('TelemetryDaily', { simpleResolvers: true, description: 'Events of one type on one UTC day, with the distinct devices that sent them.' })
@Entity('telemetry_daily')
export class TelemetryDailyRow {
  @PrimaryColumn({ name: 'app_id', type: 'uuid' })
  appId!: string;

  @Field(() => GraphQLDate)
  @PrimaryColumn({ type: 'date' })
  date!: string;

  @Field()
  @PrimaryColumn({ name: 'event_type', type: 'varchar', length: 50 })
  eventType!: string;

  @Field(() => GraphQLBigInt)
  @Column({ type: 'bigint' })
  count!: string;

  @Field(() => GraphQLBigInt)
  @Column({ name: 'unique_devices', type: 'bigint' })
  uniqueDevices!: string;
}
