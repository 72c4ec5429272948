import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Per app, UTC day and event type: exact event count and exact distinct devices. */
@Entity('telemetry_daily')
export class TelemetryDailyRow {
  @PrimaryColumn({ name: 'app_id', type: 'uuid' })
  appId!: string;

  @PrimaryColumn({ type: 'date' })
  date!: string;

  @PrimaryColumn({ name: 'event_type', type: 'varchar', length: 50 })
  eventType!: string;

  @Column({ type: 'bigint' })
  count!: string;

  @Column({ name: 'unique_devices', type: 'bigint' })
  uniqueDevices!: string;
}
