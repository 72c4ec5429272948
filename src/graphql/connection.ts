import { ArgsType, ClassType, Field, Int, ObjectType } from 'type-graphql';
import { GraphQLScalarType } from 'graphql';
import { badInput } from './errors';
import { MAX_LENGTH, textProblem } from './input-rules';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/**
 * Relay's PageInfo. The side a page was walked towards is exact (one extra row is fetched); the
 * side it came from is true whenever a cursor was given there, since that cursor names a row on
 * that side (the Relay spec allows this instead of a second query).
 */
@ObjectType({ simpleResolvers: true })
export class PageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field()
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true })
  startCursor!: string | null;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

/** A connection's rows plus how to count all of them; the count query runs only if asked for. */
export interface ConnectionData<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: PageInfo;
  count: () => Promise<number | string>;
}

/**
 * Builds the Relay connection and edge types for one node type:
 * `<Name>Connection { edges { cursor node } pageInfo totalCount }`.
 * `countType` is BigInt for lists that can outgrow 2^31 rows.
 */
export function Connection<T extends object>(
  name: string,
  nodeType: ClassType<T>,
  countType: typeof Int | GraphQLScalarType = Int,
) {
  @ObjectType(`${name}Edge`, { simpleResolvers: true })
  class Edge {
    @Field()
    cursor!: string;

    @Field(() => nodeType)
    node!: T;
  }

  @ObjectType(`${name}Connection`, { simpleResolvers: true })
  class ConnectionType implements ConnectionData<T> {
    @Field(() => [Edge])
    edges!: Edge[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    count!: () => Promise<number | string>;

    @Field(() => countType, { description: 'All items matching the arguments, across every page.' })
    totalCount(): Promise<number | string> {
      return this.count();
    }
  }
  return ConnectionType;
}

@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, description: `Page size: 1 to ${MAX_PAGE_SIZE}, default ${DEFAULT_PAGE_SIZE}.` })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'The endCursor of the previous page.' })
  after?: string | null;

  @Field(() => Int, { nullable: true, description: `Page size when paging backwards: 1 to ${MAX_PAGE_SIZE}; not with first.` })
  last?: number | null;

  @Field(() => String, { nullable: true, description: 'The startCursor of the next page, to page backwards; not with after.' })
  before?: string | null;
}

/**
 * Validated paging: how many rows to return, the keyset values the cursor encodes, and whether the
 * page walks backwards (last/before): then the list's order is reversed in SQL and the rows are
 * put back in the list's order by toConnection, so every page is a keyset read, never an OFFSET.
 */
export interface Page {
  limit: number;
  cursor: unknown[] | null;
  backward: boolean;
}

const TIMESTAMP = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.\d{1,6})?Z?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INT8_MAX = 2n ** 63n - 1n;

function isTimestamp(value: string): boolean {
  const m = TIMESTAMP.exec(value);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const date = new Date(Date.UTC(2000, month - 1, day));
  date.setUTCFullYear(year);
  return year >= 1 && date.getUTCMonth() === month - 1 && date.getUTCDate() === day && hour < 24 && minute < 60 && second < 60;
}

/**
 * What each part of a keyset cursor may hold: the types of the columns a list resumes after.
 * A cursor is the client's to send back, so it is input like any other and must fit its column.
 */
export const cursorPart = {
  /** A UTC timestamp without offset or with Z, microseconds at most, years 0001-9999. */
  timestamp: (value: unknown) => typeof value === 'string' && isTimestamp(value),
  uuid: (value: unknown) => typeof value === 'string' && UUID.test(value),
  int4: (value: unknown) => Number.isInteger(value) && Math.abs(value as number) <= 2 ** 31 - 1,
  /** A non-negative bigint column, as the digits pg returns it in. */
  int8: (value: unknown) => typeof value === 'string' && /^\d{1,19}$/.test(value) && BigInt(value) <= INT8_MAX,
  float: (value: unknown) => typeof value === 'number' && Number.isFinite(value),
  text: (value: unknown) => typeof value === 'string' && value.length <= MAX_LENGTH.after && textProblem(value) === null,
  sha256: (value: unknown) => typeof value === 'string' && /^[0-9a-f]{64}$/.test(value),
};

/** The parts of one list's cursor, in order. */
export type CursorKey = readonly ((value: unknown) => boolean)[];

/**
 * Paging arguments, with the cursor decoded and checked against the list's cursor key. Forward
 * pages take first/after, backward pages last/before; mixing the two directions is refused.
 */
export function parsePage(args: PageArgs, key: CursorKey): Page {
  if (args.first != null && args.last != null) throw badInput('last', 'cannot be combined with first: page forward with first/after or backward with last/before');
  const backward = args.last != null || args.before != null;
  if (backward && args.first != null) throw badInput('before', 'pages backward, so it takes last, not first');
  if (backward && args.after != null) throw badInput('before', 'cannot be combined with after');
  const sizeField = backward ? 'last' : 'first';
  const limit = (backward ? args.last : args.first) ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw badInput(sizeField, `must be between 1 and ${MAX_PAGE_SIZE}, got ${limit}`);
  }
  const cursorField = backward ? 'before' : 'after';
  const cursor = args[cursorField];
  return { limit, backward, cursor: cursor == null ? null : decodeCursor(cursorField, cursor, key) };
}

/**
 * The comparison that resumes past the cursor on a column the list sorts in `direction`:
 * `<` on a descending column when paging forward, `>` when paging backward.
 */
export function pastCursor(page: Page, direction: 'ASC' | 'DESC'): '<' | '>' {
  return (direction === 'DESC') !== page.backward ? '<' : '>';
}

/** The list's ORDER BY terms (`col ASC|DESC`), reversed when the page walks backwards. */
export function pageOrder(page: Page, terms: string): string {
  if (!page.backward) return terms;
  return terms.replace(/\b(ASC|DESC)\b/g, (direction) => (direction === 'ASC' ? 'DESC' : 'ASC'));
}

function decodeCursor(field: string, cursor: string, key: CursorKey): unknown[] {
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    values = null;
  }
  const fits = Array.isArray(values) && values.length === key.length && key.every((isValid, i) => isValid(values[i]));
  if (!fits) throw badInput(field, 'is not a cursor returned by this list');
  return values as unknown[];
}

export function encodeCursor(values: unknown[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

/**
 * Turns `limit + 1` rows, fetched in the page's walking order, into a connection: the extra row
 * only says there is more in that direction. `keyOf` gives the keyset values a cursor carries.
 */
export function toConnection<Row, Node>(
  rows: Row[],
  page: Page,
  keyOf: (row: Row) => unknown[],
  count: () => Promise<number | string>,
  toNode: (row: Row) => Node = (row) => row as unknown as Node,
): ConnectionData<Node> {
  const pageRows = rows.slice(0, page.limit);
  if (page.backward) pageRows.reverse();
  const edges = pageRows.map((row) => new Edge(row, toNode(row), keyOf));
  const moreAhead = rows.length > page.limit;
  const cursorBehind = page.cursor !== null;
  return {
    edges,
    pageInfo: {
      hasNextPage: page.backward ? cursorBehind : moreAhead,
      hasPreviousPage: page.backward ? moreAhead : cursorBehind,
      // Encoded only if asked for, like the edges' cursors.
      get startCursor() {
        return edges[0]?.cursor ?? null;
      },
      get endCursor() {
        return edges.at(-1)?.cursor ?? null;
      },
    },
    count,
  };
}

/** An edge whose cursor is encoded only if the query asks for it (most ask only for the page's end). */
class Edge<Row, Node> {
  constructor(
    private readonly row: Row,
    readonly node: Node,
    private readonly keyOf: (row: Row) => unknown[],
  ) {}

  get cursor(): string {
    return encodeCursor(this.keyOf(this.row));
  }
}
