import { GraphQLJSON } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One raw telemetry event. The table is range-partitioned by `timestamp` (see its migration),
 * which is why the primary key leads with it.
 */
@ObjectType({ simpleResolvers: true, description: 'One raw telemetry event as a device sent it (its device id is stored only as a keyed hash).' })
@Entity('telemetry_events')
export class TelemetryEvent {
  @Field({ description: 'When the event happened, by the device clock (millisecond precision).' })
  @PrimaryColumn({ type: 'timestamptz' })
  timestamp!: Date;

  @Field(() => ID)
  @PrimaryColumn({ type: 'bigint' })
  id!: string;

  @Field(() => ID)
  @Column({ name: 'app_id', type: 'uuid' })
  appId!: string;

  /** HMAC-SHA256 of the device's identifier; the raw identifier is never stored. */
  @Column({ name: 'device_id', type: 'char', length: 64 })
  deviceId!: string;

  @Field()
  @Column({ name: 'event_type', type: 'varchar', length: 50 })
  eventType!: string;

  @Field(() => GraphQLJSON, { nullable: true })
  @Column({ name: 'event_data', type: 'jsonb', nullable: true })
  eventData!: unknown;

  @Field(() => String, { nullable: true })
  @Column({ name: 'mosis_version', type: 'varchar', length: 20, nullable: true })
  mosisVersion!: string | null;

  @Field(() => String, { nullable: true, description: 'The app version (AppVersion.versionName) the device ran, when it said.' })
  @Column({ name: 'app_version', type: 'varchar', length: 20, nullable: true })
  appVersion!: string | null;

  /** Client-chosen id that makes a retried upload idempotent. */
  @Column({ name: 'event_id', type: 'varchar', length: 64, nullable: true })
  eventId!: string | null;

  @Column({ name: 'received_at', type: 'timestamptz', default: () => 'now()' })
  receivedAt!: Date;
}
