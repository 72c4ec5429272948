import { ArgsType, ClassType, Field, Int, ObjectType } from 'type-graphql';
import { GraphQLScalarType } from 'graphql';
import { badInput } from './errors';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

@ObjectType()
export class PageInfo {
  @Field()
  hasNextPage!: boolean;

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
  @ObjectType(`${name}Edge`)
  class Edge {
    @Field()
    cursor!: string;

    @Field(() => nodeType)
    node!: T;
  }

  @ObjectType(`${name}Connection`)
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
}

/** Validated paging: how many rows to return, and the keyset values the cursor encodes. */
export interface Page {
  limit: number;
  after: unknown[] | null;
}

export function parsePage(args: PageArgs): Page {
  const limit = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw badInput('first', `must be between 1 and ${MAX_PAGE_SIZE}, got ${limit}`);
  }
  if (args.after == null) return { limit, after: null };
  try {
    const values = JSON.parse(Buffer.from(args.after, 'base64url').toString('utf8'));
    if (Array.isArray(values) && values.length > 0) return { limit, after: values };
  } catch {
    // falls through to the error below
  }
  throw badInput('after', 'is not a cursor returned by this list');
}

export function encodeCursor(values: unknown[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

/**
 * Turns `limit + 1` fetched rows into a connection: the extra row only says there is a next page.
 * `keyOf` gives the keyset values a cursor must carry to resume after a row.
 */
export function toConnection<Row, Node>(
  rows: Row[],
  page: Page,
  keyOf: (row: Row) => unknown[],
  count: () => Promise<number | string>,
  toNode: (row: Row) => Node = (row) => row as unknown as Node,
): ConnectionData<Node> {
  const pageRows = rows.slice(0, page.limit);
  const edges = pageRows.map((row) => ({ cursor: encodeCursor(keyOf(row)), node: toNode(row) }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > page.limit, endCursor: edges.at(-1)?.cursor ?? null },
    count,
  };
}
