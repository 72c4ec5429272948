import { Field, ID, ObjectType } from 'type-graphql';
import { Node } from '../graphql/node';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Role } from './role';

@ObjectType({ simpleResolvers: true, description: 'A developer account.', implements: Node })
@Entity('developers')
export class Developer {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Field({ description: 'Stored as entered; unique case-insensitively.' })
  @Column({ type: 'varchar', length: 255 })
  email!: string;

  @Field()
  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Column({ name: 'password_hash', type: 'varchar', length: 255, nullable: true })
  passwordHash!: string | null;

  @Column({ name: 'oauth_provider', type: 'varchar', length: 50, nullable: true })
  oauthProvider!: string | null;

  @Column({ name: 'oauth_id', type: 'varchar', length: 255, nullable: true })
  oauthId!: string | null;

  @Field(() => Role)
  @Column({ type: 'varchar', length: 20, default: Role.DEVELOPER })
  role!: Role;

  @Field()
  @Column({ type: 'boolean', default: false })
  verified!: boolean;

  @Field()
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Field()
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
