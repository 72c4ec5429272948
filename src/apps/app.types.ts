import { ArrayMaxSize, IsOptional, Matches } from 'class-validator';
import { ArgsType, Field, ID, InputType } from 'type-graphql';
import { PageArgs } from '../graphql/connection';
import { AppStatus } from './app.entity';

export const MAX_TAGS = 20;
const PACKAGE_ID = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

/** The fields an app's owner may edit, all optional: shared by create and update. */
@InputType()
abstract class AppDetailsInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  description?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  category?: string | null;

  @Field(() => [String], { nullable: true, description: `Up to ${MAX_TAGS}; stored lowercase, trimmed, without duplicates.` })
  @IsOptional()
  @ArrayMaxSize(MAX_TAGS * 5, { message: 'lists far too many tags' })
  tags?: string[] | null;
}

const NOT_BLANK = Matches(/\S/, { message: 'must not be blank' });

@InputType()
export class CreateAppInput extends AppDetailsInput {
  @Field({ description: 'Reverse-DNS, e.g. com.example.notes: two or more labels of [a-z][a-z0-9_]*.' })
  @Matches(PACKAGE_ID, { message: 'must be reverse-DNS like com.example.app (labels of [a-z][a-z0-9_]*)' })
  packageId!: string;

  @Field()
  @NOT_BLANK
  name!: string;
}

/** Any subset of the app's editable fields; omitted fields keep their value. */
@InputType()
export class UpdateAppInput extends AppDetailsInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @NOT_BLANK
  name?: string | null;
}

@ArgsType()
export class AppsArgs extends PageArgs {
  @Field(() => ID, { nullable: true })
  developerId?: string | null;

  @Field(() => AppStatus, { nullable: true })
  status?: AppStatus | null;
}

@ArgsType()
export class SearchAppsArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: 'Words to match in name, description and tags; tolerant of typos and unfinished words.' })
  query?: string | null;

  @Field(() => [String], { nullable: true, description: 'Only apps carrying every one of these tags.' })
  tags?: string[] | null;

  @Field(() => String, { nullable: true })
  category?: string | null;
}
