import { IsEmail, Matches, MinLength, Validate, ValidatorConstraint, ValidatorConstraintInterface } from 'class-validator';
import { Field, InputType, ObjectType } from 'type-graphql';
import { Developer } from '../developers/developer.entity';

/** bcrypt ignores everything past 72 bytes; refusing longer passwords keeps that from surprising anyone. */
@ValidatorConstraint({ name: 'bcryptLength' })
class FitsBcrypt implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && Buffer.byteLength(value, 'utf8') <= 72;
  }
  defaultMessage(): string {
    return 'must be at most 72 bytes';
  }
}

@InputType()
export class SignUpInput {
  @Field()
  @IsEmail({}, { message: 'must be a valid email address' })
  email!: string;

  @Field()
  @Matches(/\S/, { message: 'must not be blank' })
  name!: string;

  @Field({ description: 'At least 10 characters.' })
  @MinLength(10, { message: 'must be at least 10 characters' })
  @Validate(FitsBcrypt)
  password!: string;
}

@ObjectType({ simpleResolvers: true })
export class AuthPayload {
  @Field({ description: 'Send as "Authorization: Bearer <token>".' })
  token!: string;

  @Field(() => Developer)
  developer!: Developer;
}
