import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('crash_reports')
export class CrashReport {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'app_id', type: 'uuid' })
  appId!: string;

  @Column({ name: 'app_version', type: 'varchar', length: 20 })
  appVersion!: string;

  /** HMAC-SHA256 of the device's identifier. */
  @Column({ name: 'device_id', type: 'char', length: 64 })
  deviceId!: string;

  @Column({ name: 'crash_type', type: 'varchar', length: 50 })
  crashType!: string;

  @Column({ type: 'text', nullable: true })
  message!: string | null;

  @Column({ name: 'stack_trace', type: 'text', nullable: true })
  stackTrace!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  context!: unknown;

  @Column({ name: 'mosis_version', type: 'varchar', length: 20, nullable: true })
  mosisVersion!: string | null;

  /** SHA-256 over the crash type and the normalized top stack frames: one value per bug. */
  @Column({ type: 'char', length: 64 })
  fingerprint!: string;

  @Column({ name: 'event_id', type: 'varchar', length: 64, nullable: true })
  eventId!: string | null;

  @Column({ type: 'timestamptz' })
  timestamp!: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
