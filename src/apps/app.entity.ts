import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { Node } from '../graphql/node';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export enum AppStatus {
  DRAFT = 'draft',
  PUBLISHED = 'published',
  SUSPENDED = 'suspended',
}
registerEnumType(AppStatus, { name: 'AppStatus' });

@ObjectType({ simpleResolvers: true, description: 'An app in the Mosis store.', implements: Node })
@Entity('apps')
export class App {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'developer_id', type: 'uuid' })
  developerId!: string;

  @Field({ description: 'Reverse-DNS identifier, e.g. com.example.notes.' })
  @Column({ name: 'package_id', type: 'varchar', length: 255 })
  packageId!: string;

  @Field()
  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'varchar', length: 50, nullable: true })
  category!: string | null;

  @Field(() => [String])
  @Column({ type: 'varchar', length: 50, array: true, default: () => "'{}'" })
  tags!: string[];

  @Field(() => AppStatus)
  @Column({ type: 'varchar', length: 20, default: AppStatus.DRAFT })
  status!: AppStatus;

  @Column({ name: 'suspended_reason', type: 'text', nullable: true })
  suspendedReason!: string | null;

  @Field()
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Field()
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
