import { validate } from 'class-validator';
import { ArgumentValidationError } from 'type-graphql';

/**
 * Runs an input class's class-validator rules by hand. Arguments that touch an existing resource
 * are declared with `validate: false` and checked here after authorization, so a stranger gets
 * FORBIDDEN/NOT_FOUND rather than a description of what is wrong with their input.
 */
export async function assertValid(input: object): Promise<void> {
  const errors = await validate(input, { forbidUnknownValues: false, validationError: { target: false, value: false } });
  if (errors.length > 0) throw new ArgumentValidationError(errors);
}
