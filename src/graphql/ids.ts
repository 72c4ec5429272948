import { badInput } from './errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isId = (value: string) => UUID.test(value);

/** IDs are UUIDs; anything else is refused before it reaches SQL (where it would be a 500). */
export function assertId(field: string, value: string): string {
  if (!isId(value)) throw badInput(field, `"${value.slice(0, 40)}" is not a valid ID`);
  return value.toLowerCase();
}
