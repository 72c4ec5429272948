import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { GraphQLBigInt } from 'graphql-scalars';
import type { RolloutState } from '../releases/rollout-rule';
import { Node } from '../graphql/node';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export enum VersionStatus {
  DRAFT = 'draft',
  REVIEW = 'review',
  APPROVED = 'approved',
  PUBLISHED = 'published',
  REJECTED = 'rejected',
}
registerEnumType(VersionStatus, { name: 'VersionStatus' });

@ObjectType({ simpleResolvers: true, description: 'A signed, uploaded build of an app.', implements: Node })
@Entity('app_versions')
export class AppVersion {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'app_id', type: 'uuid' })
  appId!: string;

  @Field(() => Int)
  @Column({ name: 'version_code', type: 'integer' })
  versionCode!: number;

  @Field()
  @Column({ name: 'version_name', type: 'varchar', length: 20 })
  versionName!: string;

  @Field()
  @Column({ name: 'package_url', type: 'text' })
  packageUrl!: string;

  // bigint arrives from pg as a string; GraphQLBigInt serializes it without loss.
  @Field(() => GraphQLBigInt)
  @Column({ name: 'package_size', type: 'bigint' })
  packageSize!: string;

  @Field()
  @Column({ name: 'package_sha256', type: 'char', length: 64 })
  packageSha256!: string;

  @Field()
  @Column({ type: 'varchar', length: 512 })
  signature!: string;

  @Column({ name: 'signing_key_id', type: 'uuid' })
  signingKeyId!: string;

  @Field(() => [String], { description: 'Platform permissions the package requests.' })
  @Column({ type: 'jsonb', default: () => "'[]'" })
  permissions!: string[];

  @Field(() => String, { nullable: true })
  @Column({ name: 'min_mosis_version', type: 'varchar', length: 20, nullable: true })
  minMosisVersion!: string | null;

  @Field(() => String, { nullable: true })
  @Column({ name: 'release_notes', type: 'text', nullable: true })
  releaseNotes!: string | null;

  @Field(() => VersionStatus)
  @Column({ type: 'varchar', length: 20, default: VersionStatus.DRAFT })
  status!: VersionStatus;

  @Field(() => String, { nullable: true })
  @Column({ name: 'review_notes', type: 'text', nullable: true })
  reviewNotes!: string | null;

  @Field(() => Date, { nullable: true })
  @Column({ name: 'published_at', type: 'timestamptz', nullable: true })
  publishedAt!: Date | null;

  @Field()
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  // The rollout of a published version (null before publishing); AppVersion.rollout shows them.
  @Column({ name: 'rollout_percentage', type: 'double precision', nullable: true })
  rolloutPercentage!: number | null;

  @Column({ name: 'rollout_state', type: 'varchar', length: 10, nullable: true })
  rolloutState!: RolloutState | null;

  @Column({ name: 'rollout_phased', type: 'boolean', default: false })
  rolloutPhased!: boolean;

  @Column({ name: 'rollout_halt_below', type: 'double precision', nullable: true })
  rolloutHaltBelow!: number | null;

  @Column({ name: 'rollout_halted_reason', type: 'text', nullable: true })
  rolloutHaltedReason!: string | null;

  @Column({ name: 'rollout_started_at', type: 'timestamptz', nullable: true })
  rolloutStartedAt!: Date | null;

  @Column({ name: 'rollout_updated_at', type: 'timestamptz', nullable: true })
  rolloutUpdatedAt!: Date | null;

  @Column({ name: 'rollout_next_step_at', type: 'timestamptz', nullable: true })
  rolloutNextStepAt!: Date | null;
}
