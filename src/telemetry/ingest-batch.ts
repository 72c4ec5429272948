import type { DataSource } from 'typeorm';
import type { Principal } from '../auth/principal';
import { AppError, forbidden } from '../graphql/errors';
import { jsonProblem } from '../graphql/input-rules';

/** The most items one POST to /v1/telemetry or /v1/crashes may carry. */
export const MAX_BATCH_ITEMS = 10_000;

/** The 202 body: items stored now, and items already stored by an earlier upload (same eventId). */
export interface IngestResult {
  accepted: number;
  duplicates: number;
}

export interface ItemError {
  index: number;
  reason: string;
}

/** HTTP 400 with one `{index, reason}` per bad item (the /v1 routes put `errors` in the body). */
export function batchRejected(message: string, errors: ItemError[] = []): AppError {
  return new AppError('BAD_USER_INPUT', message, { errors });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_TIMESTAMP = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(?:Z|([+-])(\d\d):(\d\d))$/;
/** Already in the form Date#toISOString writes, so it needs no rewriting. */
const CANONICAL_LENGTH = 'YYYY-MM-DDTHH:MM:SS.sssZ'.length;
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;
/**
 * PostgreSQL's jsonb refuses \u0000 and unpaired surrogates, which JSON.stringify writes as those
 * escapes; an odd run of backslashes before the `u` is what makes it an escape rather than text.
 */
const JSONB_UNSUPPORTED_ESCAPE = /(?:^|[^\\])(?:\\\\)*\\u(?:0000|d[89a-f][0-9a-f]{2})/i;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeapYear = (year: number) => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);

/**
 * Epoch milliseconds of an RFC 3339 date-time with an explicit offset (`Z` or ±hh:mm), or null.
 * Stricter than Date.parse, which accepts 2025-02-30 as 2 March. Fractions beyond milliseconds
 * are truncated. The form nearly every client sends (Date#toISOString's) is read without the
 * regex: at 10,000 timestamps a batch, match arrays and substrings would be most of the garbage.
 */
export function parseTimestamp(value: string): number | null {
  if (value.length === CANONICAL_LENGTH && value[4] === '-' && value[7] === '-' && value[10] === 'T' &&
    value[13] === ':' && value[16] === ':' && value[19] === '.' && value[23] === 'Z') {
    return utcMillis(digits(value, 0, 4), digits(value, 5, 7), digits(value, 8, 10), digits(value, 11, 13),
      digits(value, 14, 16), digits(value, 17, 19), digits(value, 20, 23));
  }
  const m = ISO_TIMESTAMP.exec(value);
  if (!m) return null;
  const millis = m[7] === undefined ? 0 : +(m[7] + '00').slice(0, 3);
  const local = utcMillis(+m[1], +m[2], +m[3], +m[4], +m[5], +m[6], millis);
  if (local === null || m[8] === undefined) return local;
  if (+m[9] > 23 || +m[10] > 59) return null;
  return local - (m[8] === '-' ? -1 : 1) * (+m[9] * 60 + +m[10]) * 60_000;
}

/** Digits of `value` from `start` to `end` as a number, or -1 if any is not a digit. */
function digits(value: string, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    const d = value.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** Null unless every part is in range for a real calendar date and time. */
function utcMillis(year: number, month: number, day: number, hour: number, minute: number, second: number, millis: number): number | null {
  // Date.UTC reads years below 100 as 19xx; no device clock is that far off anyway.
  if (year < 1000 || month < 1 || month > 12 || millis < 0) return null;
  const monthDays = month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1];
  if (day < 1 || day > monthDays || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return null;
  return Date.UTC(year, month - 1, day, hour, minute, second, millis);
}

/** The accepted range of item timestamps, in epoch milliseconds. */
export interface TimeWindow {
  earliest: number;
  latest: number;
  /** Says why an earlier timestamp is refused. */
  tooOld: string;
}

/** How far ahead of the server clock an item timestamp may be: device clocks drift, but not by days. */
export const MAX_FUTURE_MS = 24 * 60 * 60 * 1000;

/**
 * Reads one item's fields, collecting every problem instead of stopping at the first, so the
 * 400 response tells the client all that is wrong with the item at once. One reader serves a
 * whole batch (see admitBatch): at 10,000 items a batch, allocations add up.
 */
export class ItemReader {
  problems: string[] = [];
  private item: Record<string, unknown> = {};
  /** The last valid UUID read, and its lowercase form. */
  private lastUuid: string | null = null;
  private lastUuidLowercase = '';

  constructor(private readonly fields: ReadonlySet<string>) {}

  /** Moves on to the next item; unknown fields are refused, as they are usually a misspelt known one. */
  read(item: Record<string, unknown>): void {
    this.item = item;
    if (this.problems.length > 0) this.problems = [];
    for (const key in item) {
      if (!this.fields.has(key)) this.problems.push(`${key}: unknown field`);
    }
  }

  uuid(field: string): string {
    const value = this.item[field];
    // Items of a batch nearly always name the same app: its id is checked and lowercased once.
    if (typeof value === 'string' && value === this.lastUuid) return this.lastUuidLowercase;
    if (typeof value === 'string' && UUID.test(value)) {
      this.lastUuid = value;
      this.lastUuidLowercase = value.toLowerCase();
      return this.lastUuidLowercase;
    }
    this.problems.push(value == null ? `${field}: is required` : `${field}: must be a UUID`);
    return '';
  }

  /** A string of 1..max characters without control characters (or matching `pattern`); null when optional and absent. */
  text(field: string, rule: { max: number; optional?: boolean; pattern?: RegExp; patternHint?: string; multiline?: boolean }): string | null {
    const value = this.item[field];
    if (value == null) {
      if (!rule.optional) this.problems.push(`${field}: is required`);
      return null;
    }
    if (typeof value !== 'string') {
      this.problems.push(`${field}: must be a string`);
      return null;
    }
    if (value.trim() === '') {
      this.problems.push(`${field}: must not be blank`);
    } else if (value.length > rule.max) {
      this.problems.push(`${field}: must be at most ${rule.max} characters`);
    } else if (rule.pattern && !rule.pattern.test(value)) {
      this.problems.push(`${field}: ${rule.patternHint}`);
    } else if (rule.multiline ? value.includes('\u0000') : CONTROL_CHARACTERS.test(value)) {
      this.problems.push(`${field}: must not contain ${rule.multiline ? 'NUL' : 'control'} characters`);
    }
    return value;
  }

  /** An RFC 3339 date-time with an offset, inside `window`; returned in canonical UTC form (millisecond precision). */
  timestamp(field: string, window: TimeWindow): string {
    const value = this.item[field];
    const ms = typeof value === 'string' ? parseTimestamp(value) : null;
    if (ms === null) {
      this.problems.push(
        value == null ? `${field}: is required` : `${field}: must be an ISO-8601 date-time with an offset, e.g. 2025-01-31T12:00:00Z`,
      );
      return '';
    }
    if (ms > window.latest) this.problems.push(`${field}: is more than 24 hours in the future`);
    else if (ms < window.earliest) this.problems.push(`${field}: ${window.tooOld}`);
    const text = value as string;
    return text.length === CANONICAL_LENGTH && text.endsWith('Z') ? text : new Date(ms).toISOString();
  }

  /** An optional JSON object, returned as JSON text for a jsonb column. */
  jsonObject(field: string, maxBytes: number): string | null {
    const value = this.item[field];
    if (value == null) return null;
    if (typeof value !== 'object' || Array.isArray(value)) {
      this.problems.push(`${field}: must be a JSON object`);
      return null;
    }
    // Before stringifying: JSON.stringify recurses, and 15,000 nested arrays exhaust its stack.
    const tooDeep = jsonProblem(value, { depthOnly: true });
    if (tooDeep) {
      this.problems.push(`${field}: ${tooDeep}`);
      return null;
    }
    const json = JSON.stringify(value);
    // UTF-8 takes at most 3 bytes per UTF-16 unit, so short texts need no byte count.
    if (json.length * 3 > maxBytes && Buffer.byteLength(json) > maxBytes) {
      this.problems.push(`${field}: must be at most ${maxBytes} bytes as JSON`);
    } else if (json.includes('\\u') && JSONB_UNSUPPORTED_ESCAPE.test(json)) {
      this.problems.push(`${field}: must not contain NUL characters or unpaired surrogates`);
    }
    return json;
  }
}

/**
 * Validates a parsed body, or refuses the whole batch: its shape and size first, then
 * authorization (every app in it must belong to the key's developer: one query for all of them,
 * and a 403 whatever else is wrong), then every item, reporting each bad one. `readItem` reads
 * the current item's fields from the reader, collecting them as it likes; what it collected is
 * used only if this returns.
 */
export async function admitBatch(
  db: DataSource,
  principal: Principal,
  body: unknown,
  fields: ReadonlySet<string>,
  readItem: (reader: ItemReader) => void,
): Promise<number> {
  if (!Array.isArray(body)) {
    throw batchRejected('The body must be a JSON array of items, or NDJSON (Content-Type: application/x-ndjson).');
  }
  if (body.length === 0) throw batchRejected('The batch is empty.');
  if (body.length > MAX_BATCH_ITEMS) {
    throw batchRejected(`A batch holds at most ${MAX_BATCH_ITEMS} items; this one has ${body.length}.`);
  }

  await assertOwnsApps(db, principal, body);

  const reader = new ItemReader(fields);
  const errors: ItemError[] = [];
  for (let index = 0; index < body.length; index++) {
    const item = body[index];
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      errors.push({ index, reason: 'must be a JSON object' });
      continue;
    }
    reader.read(item);
    readItem(reader);
    if (reader.problems.length > 0) errors.push({ index, reason: reader.problems.join('; ') });
  }
  if (errors.length > 0) {
    throw batchRejected(`${errors.length} of ${body.length} items are invalid; nothing was stored.`, errors);
  }
  return body.length;
}

async function assertOwnsApps(db: DataSource, principal: Principal, items: unknown[]): Promise<void> {
  const appIds = new Set<string>();
  let previous: unknown;
  for (const item of items) {
    const appId = (item as { appId?: unknown } | null)?.appId;
    // Batches usually repeat one app; skip re-checking the same string.
    if (appId === previous) continue;
    previous = appId;
    if (typeof appId === 'string' && UUID.test(appId)) appIds.add(appId.toLowerCase());
  }
  if (appIds.size === 0) return;
  const owned: { id: string }[] = await db.query(
    `SELECT id FROM apps WHERE id = ANY($1::uuid[]) AND developer_id = $2`,
    [[...appIds], principal.developerId],
  );
  const ownedIds = new Set(owned.map((row) => row.id));
  const refused = [...appIds].filter((id) => !ownedIds.has(id));
  if (refused.length > 0) {
    const named = refused.slice(0, 5).join(', ') + (refused.length > 5 ? ` and ${refused.length - 5} more` : '');
    throw forbidden(`This API key may send data only for its own developer's apps; app ${named} is not one of them. Nothing was stored.`);
  }
}
