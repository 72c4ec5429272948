import {
  type DocumentNode, type FieldNode, type FragmentDefinitionNode, getArgumentValues, getNamedType, getNullableType,
  getVariableValues, GraphQLEnumType, type GraphQLField, GraphQLList, GraphQLObjectType, type GraphQLOutputType,
  GraphQLScalarType, type GraphQLSchema, Kind, type OperationDefinitionNode, type SelectionSetNode,
} from 'graphql';
import type { RequestContext } from './context';

/**
 * Answers whole query operations with one SQL statement whose single value is the response's
 * `data`, as JSON text built by PostgreSQL: no rows to parse, no resolvers to run, nothing to
 * stringify in Node. PostgreSQL builds JSON in C faster than the API server can turn rows into
 * objects and objects into JSON, and the API server's one core is what limits its rate.
 *
 * It takes only what it can answer exactly as the resolvers would. Each feature describes, for
 * its object types, which fields are plain SQL values over a row (SqlObjectRendering) and, for
 * its root fields, which rows they return under which rules (SqlRootRendering); a selection that
 * reaches anything else (a field without a rendering, arguments below the root, directives,
 * pageInfo or cursors, a rule that depends on the row) is left to the resolvers, as is any request
 * whose arguments a root refuses (the resolver then words the error). test/sql-answers.test.ts
 * holds both ways to the same answers.
 */

/** A request's SQL parameters and its context, for the renderings' rules. */
export interface SqlRequest {
  readonly context: RequestContext;
  /** Appends a parameter; returns its placeholder (`$3`). */
  param(value: unknown): string;
  readonly params: unknown[];
}

/** What the API's resolvers return for a type's fields, as SQL over a row alias. */
export interface SqlObjectRendering {
  /**
   * Fields whose value is one SQL expression over the row. Null: not for this request (a rule
   * that depends on who asks and cannot be decided for every row alike).
   */
  fields: Record<string, (alias: string, request: SqlRequest) => string | null>;
  /** To-one relations: the related row as a FROM item (`developers d WHERE d.id = a.developer_id`). */
  relations?: Record<string, (parent: string, alias: string, request: SqlRequest) => string>;
}

/** The rows a root field returns, or null to leave this request to its resolver. */
export interface SqlRoot {
  /** A FROM item with its conditions, in the page's own order and size for lists: `apps a WHERE … ORDER BY … LIMIT 50`. */
  from: string;
  /** Lists: the list's order (the answer's), over the same alias. */
  order?: string;
  /** A condition that must hold for the answer to stand (authorization); else the resolver answers. */
  guard?: string;
}

export type SqlRootRendering = (args: Record<string, unknown>, alias: string, request: SqlRequest) => SqlRoot | null;

export interface SqlRenderings {
  types: Record<string, SqlObjectRendering>;
  /** Query fields by name. */
  roots: Record<string, SqlRootRendering>;
}

/** Reads one statement's rows; the hot read path's ReadQueries. */
export type RowReader = <T>(text: string, values: unknown[]) => Promise<T[]>;

/** A field as the response names it, with the selections merged under that name. */
interface Selected {
  key: string;
  node: FieldNode;
  field: GraphQLField<unknown, unknown> | null;
  children: Selected[];
}

/** A Connection type's shape: `edges { node }` and nothing else the SQL can answer. */
const CONNECTION = /Connection$/;

/** PostgreSQL's identifiers hold 63 bytes; GraphQL names are ASCII. */
const MAX_KEY_LENGTH = 63;

/** graphql-scalars' BigInt sends safe integers as JSON numbers and larger ones as strings. */
const MAX_SAFE = '9007199254740991';

export class SqlAnswers {
  /** Per operation: its selections, or null when they reach something only resolvers answer. */
  private readonly plans = new WeakMap<OperationDefinitionNode, Selected[] | null>();

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly renderings: SqlRenderings,
    private readonly rows: RowReader,
  ) {}

  /**
   * The response body, `{"data":…}` and a newline as Apollo Server writes a success (built whole
   * by PostgreSQL: no copy of a long text in Node), or undefined to leave the operation to the resolvers.
   */
  async answer(document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>, context: RequestContext): Promise<string | undefined> {
    const roots = this.planFor(document, operation);
    if (!roots) return undefined;
    const coerced = getVariableValues(this.schema, operation.variableDefinitions ?? [], variables);
    if (coerced.errors) return undefined;
    const params: unknown[] = [];
    const request: SqlRequest = { context, params, param: (value) => `$${params.push(value)}` };
    let statement: { text: string; guards: string[] } | null;
    try {
      statement = this.statement(roots, coerced.coerced, request);
    } catch {
      return undefined; // a root's argument rule refused: its resolver words the error
    }
    if (!statement) return undefined;
    const check = context.principal?.check;
    const guard = statement.guards.length ? statement.guards.join(' AND ') : 'TRUE';
    const [row] = await this.rows<{ body: string | null; credentialState?: string | null }>(
      `SELECT CASE WHEN ${guard} THEN '{"data":' || ${statement.text} || E'}\n' END AS body${check?.column(params) ?? ''}`,
      params,
    );
    check?.recordFrom([row]);
    if (row.body === null || !(await context.confirmCredential())) return undefined;
    return row.body;
  }

  private planFor(document: DocumentNode, operation: OperationDefinitionNode): Selected[] | null {
    let plan = this.plans.get(operation);
    if (plan === undefined) {
      const query = this.schema.getQueryType();
      plan = operation.operation === 'query' && query ? selectionsOf(document, query, [operation.selectionSet], true) : null;
      this.plans.set(operation, plan);
    }
    return plan;
  }

  /** The data object's SQL (text) and the guards its roots set; null if a root is left to its resolver. */
  private statement(roots: Selected[], variables: Record<string, unknown>, request: SqlRequest) {
    const aliases = new Aliases();
    const guards: string[] = [];
    const entries: [string, string][] = [];
    for (const root of roots) {
      if (!root.field) {
        entries.push([root.key, `'"Query"'`]);
        continue;
      }
      const rendering = this.renderings.roots[root.field.name];
      if (!rendering) return null;
      const alias = aliases.next();
      const source = rendering(getArgumentValues(root.field, root.node, variables), alias, request);
      if (!source) return null;
      if (source.guard) guards.push(`(${source.guard})`);
      const value = this.rootValue(root, source, alias, request, aliases);
      if (value === null) return null;
      entries.push([root.key, value]);
    }
    return { text: textObject(entries), guards };
  }

  /** A root field's value as JSON text. */
  private rootValue(root: Selected, source: SqlRoot, alias: string, request: SqlRequest, aliases: Aliases): string | null {
    const type = getNullableType(root.field!.type);
    if (type instanceof GraphQLObjectType && CONNECTION.test(type.name)) {
      return source.order ? this.connection(type, root.children, source, alias, request, aliases) : null;
    }
    if (!(type instanceof GraphQLObjectType) || source.order) return null;
    const object = this.object(type, root.children, alias, request, aliases);
    return object && `coalesce((SELECT ${object} FROM ${source.from})::text, 'null')`;
  }

  /**
   * `{"edges":[{"node":{…}}]}` as text, the list in one string_agg (cheaper for PostgreSQL than
   * a JSON object per edge); anything else on a connection (pageInfo, cursors, totalCount) is the resolvers'.
   */
  private connection(type: GraphQLObjectType, selected: Selected[], source: SqlRoot, alias: string, request: SqlRequest, aliases: Aliases): string | null {
    const entries: [string, string][] = [];
    for (const edges of selected) {
      if (!edges.field) {
        entries.push([edges.key, `'"${type.name}"'`]);
        continue;
      }
      const edgeType = getNamedType(edges.field.type);
      if (edges.field.name !== 'edges' || !(edgeType instanceof GraphQLObjectType)) return null;
      const edgeEntries: [string, string][] = [];
      for (const node of edges.children) {
        if (!node.field) {
          edgeEntries.push([node.key, `'"${edgeType.name}"'`]);
          continue;
        }
        const nodeType = getNamedType(node.field.type);
        if (node.field.name !== 'node' || !(nodeType instanceof GraphQLObjectType)) return null;
        const object = this.object(nodeType, node.children, alias, request, aliases);
        if (!object) return null;
        edgeEntries.push([node.key, `${object}::text`]);
      }
      const list = `(SELECT string_agg(${textObject(edgeEntries)}, ',' ORDER BY ${source.order}) FROM (SELECT ${alias}.* FROM ${source.from}) ${alias})`;
      entries.push([edges.key, `'[' || coalesce(${list}, '') || ']'`]);
    }
    return textObject(entries);
  }

  /** One object of `type` from the row `alias`, as json. */
  private object(type: GraphQLObjectType, selected: Selected[], alias: string, request: SqlRequest, aliases: Aliases): string | null {
    const rendering = this.renderings.types[type.name];
    if (!rendering) return null;
    const columns: string[] = [];
    for (const { key, field, children } of selected) {
      let value: string | null;
      if (!field) value = `'${type.name}'`;
      else if (rendering.fields[field.name]) {
        const sql = rendering.fields[field.name](alias, request);
        value = sql === null ? null : leafValue(field.type, sql);
      } else if (rendering.relations?.[field.name]) {
        const relatedType = getNullableType(field.type);
        const related = aliases.next();
        const object = relatedType instanceof GraphQLObjectType && this.object(relatedType, children, related, request, aliases);
        value = object ? `(SELECT ${object} FROM ${rendering.relations[field.name](alias, related, request)})` : null;
      } else value = null;
      if (value === null) return null;
      columns.push(`${value} AS "${key}"`);
    }
    return jsonObject(columns, aliases);
  }
}

/** Table aliases unique within one statement. */
class Aliases {
  private count = 0;
  next(): string {
    return `t${++this.count}`;
  }
}

/**
 * A JSON object as text from [key, JSON text expression] pairs (never NULL). Keys need no
 * escaping: they are GraphQL names and aliases, [_A-Za-z][_0-9A-Za-z]*.
 */
function textObject(entries: [string, string][]): string {
  return `('{' || ${entries.map(([key, value], i) => `'${i ? ',' : ''}"${key}":' || ${value}`).join(' || ')} || '}')`;
}

/** A JSON object (json) of the given `expression AS "key"` columns, keys in the given order. */
function jsonObject(columns: string[], aliases: Aliases): string {
  const alias = aliases.next();
  return `(SELECT row_to_json(${alias}) FROM (SELECT ${columns.join(', ')}) ${alias})`;
}

/**
 * A leaf field's SQL value as its GraphQL type serializes it: JSON output of the SQL types a
 * rendering uses is already GraphQL's for ID (as text), String, Int, Boolean, JSON and lists of
 * strings; timestamps, dates, BigInt and enums are converted here. Null for anything else.
 */
function leafValue(type: GraphQLOutputType, sql: string): string | null {
  const nullable = getNullableType(type);
  if (nullable instanceof GraphQLEnumType) {
    const cases = nullable.getValues().map((value) => `WHEN ${literal(String(value.value))} THEN ${literal(value.name)}`);
    return `CASE ${sql} ${cases.join(' ')} END`;
  }
  if (nullable instanceof GraphQLList) {
    const item = getNullableType(nullable.ofType);
    return item instanceof GraphQLScalarType && item.name === 'String' ? sql : null;
  }
  if (!(nullable instanceof GraphQLScalarType)) return null;
  switch (nullable.name) {
    case 'ID':
      return `(${sql})::text`;
    case 'String':
    case 'Int':
    case 'Boolean':
    case 'JSON':
      return sql;
    case 'DateTime':
      return `to_char((${sql}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
    case 'Date':
      return `to_char(${sql}, 'YYYY-MM-DD')`;
    case 'BigInt':
      return `CASE WHEN abs((${sql})::numeric) <= ${MAX_SAFE} THEN to_json((${sql})::numeric) ELSE to_json((${sql})::text) END`;
    default:
      return null;
  }
}

function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * The fields selected on `type` across selection sets, merged by response key as GraphQL merges
 * them, looking through fragments on the type itself. Null when anything here needs a resolver's
 * reading of the document: directives, fragments on other types, arguments below the root, the
 * same key for two different fields.
 */
function selectionsOf(document: DocumentNode, type: GraphQLObjectType, sets: readonly SelectionSetNode[], root: boolean): Selected[] | null {
  const byKey = new Map<string, { node: FieldNode; sets: SelectionSetNode[] }>();
  const visit = (set: SelectionSetNode): boolean => {
    for (const selection of set.selections) {
      if (selection.directives?.length) return false;
      if (selection.kind === Kind.FIELD) {
        if (!root && selection.arguments?.length) return false;
        const key = selection.alias?.value ?? selection.name.value;
        const seen = byKey.get(key);
        if (seen && (seen.node.name.value !== selection.name.value || root)) return false;
        if (!seen) byKey.set(key, { node: selection, sets: [] });
        if (selection.selectionSet) byKey.get(key)!.sets.push(selection.selectionSet);
        continue;
      }
      const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : fragmentNamed(document, selection.name.value);
      if (!fragment || (fragment.typeCondition && fragment.typeCondition.name.value !== type.name)) return false;
      if (!visit(fragment.selectionSet)) return false;
    }
    return true;
  };
  if (!sets.every(visit)) return null;
  const selected: Selected[] = [];
  for (const [key, { node, sets: childSets }] of byKey) {
    if (key.length > MAX_KEY_LENGTH) return null;
    if (node.name.value === '__typename') {
      selected.push({ key, node, field: null, children: [] });
      continue;
    }
    const field = type.getFields()[node.name.value];
    if (!field) return null;
    const childType = getNamedType(field.type);
    const children = childType instanceof GraphQLObjectType ? selectionsOf(document, childType, childSets, false) : [];
    if (!children) return null;
    selected.push({ key, node, field, children });
  }
  return selected;
}

function fragmentNamed(document: DocumentNode, name: string): FragmentDefinitionNode | undefined {
  return document.definitions.find(
    (definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION && definition.name.value === name,
  );
}
