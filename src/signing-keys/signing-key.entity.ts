import { Field, ID, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

@ObjectType({ simpleResolvers: true, description: 'An Ed25519 public key a developer signs packages with.' })
@Entity('signing_keys')
export class SigningKey {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'developer_id', type: 'uuid' })
  developerId!: string;

  @Field()
  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Field({ description: 'PEM-encoded SPKI.' })
  @Column({ name: 'public_key', type: 'text' })
  publicKey!: string;

  @Field({ description: 'Lowercase hex SHA-256 of the DER-encoded SPKI.' })
  @Column({ type: 'varchar', length: 64 })
  fingerprint!: string;

  @Field()
  @Column({ name: 'is_active', type: 'boolean', default: true })
  isActive!: boolean;

  @Field()
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
