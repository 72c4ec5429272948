import {
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLArgument,
  type GraphQLInputType,
  type GraphQLSchema,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isInterfaceType,
  isScalarType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  TypeMetaFieldDef,
  type ValueNode,
} from 'graphql';
import { AppError, asRequestError, badInput } from './errors';
import type { OperationCheck } from './operation-checks';

/**
 * The longest accepted value of every string argument and input field, by its name. One table,
 * so a new argument gets a limit without anyone remembering to add one: names not listed here
 * get DEFAULT_MAX_LENGTH.
 */
export const MAX_LENGTH: Readonly<Record<string, number>> = {
  // Free text.
  description: 4000,
  releaseNotes: 10_000,
  notes: 4000,
  reason: 1000,
  // Identity and credentials. bcrypt reads only 72 bytes of a password; sign-up refuses more.
  email: 255,
  password: 256,
  name: 100,
  // Catalog.
  query: 200,
  category: 50,
  tags: 50,
  packageId: 255,
  versionName: 20,
  minMosisVersion: 20,
  permissions: 100,
  // Machine-made values.
  deviceId: 256,
  packageUrl: 2048,
  url: 2048,
  publicKey: 2000,
  signature: 512,
  after: 1000,
  before: 1000,
};
export const DEFAULT_MAX_LENGTH = 255;
/** The most items any list argument or input field may hold. */
export const MAX_LIST_ITEMS = 100;

/** Ingested and stored JSON: at most this many levels of nested objects and arrays. */
export const MAX_JSON_DEPTH = 32;

const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const INT8_MIN = -(2n ** 63n);
const INT8_MAX = 2n ** 63n - 1n;

/**
 * Why PostgreSQL (or any careful reader) would refuse this text, or null: a NUL character (text
 * columns cannot hold one) or half of a UTF-16 surrogate pair (not valid Unicode, so not UTF-8).
 */
export function textProblem(value: string): string | null {
  if (value.includes('\u0000')) return 'must not contain NUL characters';
  if (UNPAIRED_SURROGATE.test(value)) return 'must not contain unpaired UTF-16 surrogates (invalid Unicode)';
  return null;
}

export function maxLengthOf(field: string): number {
  return MAX_LENGTH[field.slice(field.lastIndexOf('.') + 1)] ?? DEFAULT_MAX_LENGTH;
}

/** The BAD_USER_INPUT naming `field` that a string argument breaking these rules gets, or null. */
export function stringProblem(field: string, value: string): AppError | null {
  const problem = textProblem(value);
  if (problem) return badInput(field, problem);
  const max = maxLengthOf(field);
  if (value.length > max) return badInput(field, `must be at most ${max} characters, got ${value.length}`);
  return null;
}

function assertCleanString(field: string, value: unknown): void {
  if (typeof value !== 'string') return;
  const problem = stringProblem(field, value);
  if (problem) throw problem;
}

/** Years PostgreSQL's date and timestamp columns and JavaScript's Date agree on. */
function assertYearInRange(field: string, value: unknown): void {
  if (typeof value !== 'string') return;
  const time = Date.parse(value);
  if (Number.isNaN(time)) return; // not a date at all: the scalar itself refuses it
  const year = new Date(time).getUTCFullYear();
  if (year < 1 || year > 9999) throw badInput(field, 'must be between the years 0001 and 9999');
}

function assertFitsInt8(field: string, value: unknown): void {
  if (typeof value !== 'string' && typeof value !== 'number') return;
  let n: bigint;
  try {
    n = BigInt(value);
  } catch {
    return; // not an integer: the scalar itself refuses it
  }
  if (n < INT8_MIN || n > INT8_MAX) throw badInput(field, 'must fit in a 64-bit signed integer (at most 9223372036854775807)');
}

/**
 * What is wrong with a JSON value: nesting deeper than MAX_JSON_DEPTH, or (unless `depthOnly`) a
 * string or key that textProblem refuses. Iterative, so no depth can exhaust the stack.
 */
export function jsonProblem(value: unknown, { depthOnly = false } = {}): string | null {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (typeof item === 'string') {
      const problem = depthOnly ? null : textProblem(item);
      if (problem) return problem;
    } else if (item !== null && typeof item === 'object') {
      if (depth > MAX_JSON_DEPTH) return `must not nest objects and arrays more than ${MAX_JSON_DEPTH} levels deep`;
      for (const [key, child] of Object.entries(item)) {
        const problem = depthOnly ? null : textProblem(key);
        if (problem) return problem;
        stack.push([child, depth + 1]);
      }
    }
  }
  return null;
}

/** The checks each scalar's raw input gets, by scalar name. Other scalars (Int, Float, Boolean, enums) need none. */
const SCALAR_CHECKS: Record<string, (field: string, value: unknown) => void> = {
  String: assertCleanString,
  ID: assertCleanString,
  Date: assertYearInRange,
  DateTime: assertYearInRange,
  BigInt: assertFitsInt8,
  JSON: (field, value) => {
    const problem = jsonProblem(value);
    if (problem) throw badInput(field, problem);
  },
};

function assertListSize(field: string, size: number): void {
  if (size > MAX_LIST_ITEMS) throw badInput(field, `must list at most ${MAX_LIST_ITEMS} items, got ${size}`);
}

/** How a value nested in an argument is named: `query`, or `name` inside `input`, or `a.b` deeper. */
const childName = (parent: string | null, name: string) => (parent ? `${parent}.${name}` : name);

/** Walks a value sent as a variable (plain JSON) along its input type. */
function checkRaw(value: unknown, type: GraphQLInputType, field: string, parent: string | null): void {
  if (value == null) return;
  if (isNonNullType(type)) return checkRaw(value, type.ofType, field, parent);
  if (isListType(type)) {
    // GraphQL coerces a single value where a list is expected.
    const items = Array.isArray(value) ? value : [value];
    assertListSize(field, items.length);
    for (const item of items) checkRaw(item, type.ofType, field, parent);
    return;
  }
  if (isInputObjectType(type)) {
    if (typeof value !== 'object' || Array.isArray(value)) return;
    const fields = type.getFields();
    for (const [name, child] of Object.entries(value as Record<string, unknown>)) {
      if (fields[name]) checkRaw(child, fields[name].type, childName(parent, name), childName(parent, name));
    }
    return;
  }
  if (isScalarType(type)) SCALAR_CHECKS[type.name]?.(field, value);
}

/** Walks a value written in the document, following variables to what the request sent for them. */
function checkLiteral(
  node: ValueNode,
  type: GraphQLInputType,
  field: string,
  parent: string | null,
  variables: Record<string, unknown>,
): void {
  if (node.kind === Kind.VARIABLE) return checkRaw(variables[node.name.value], type, field, parent);
  if (isNonNullType(type)) return checkLiteral(node, type.ofType, field, parent, variables);
  if (isListType(type)) {
    const items = node.kind === Kind.LIST ? node.values : [node];
    assertListSize(field, items.length);
    for (const item of items) checkLiteral(item, type.ofType, field, parent, variables);
    return;
  }
  if (isInputObjectType(type) && node.kind === Kind.OBJECT) {
    const fields = type.getFields();
    for (const child of node.fields) {
      const name = child.name.value;
      if (fields[name]) checkLiteral(child.value, fields[name].type, childName(parent, name), childName(parent, name), variables);
    }
    return;
  }
  if (!isScalarType(type) || !SCALAR_CHECKS[type.name]) return;
  if (node.kind === Kind.STRING || node.kind === Kind.INT || node.kind === Kind.FLOAT) {
    SCALAR_CHECKS[type.name](field, node.value);
  } else if (node.kind === Kind.OBJECT || node.kind === Kind.LIST) {
    // A JSON literal: its strings and depth matter, not its exact value.
    SCALAR_CHECKS[type.name](field, literalShape(node));
  }
}

/** A JSON literal's structure with its strings, enough for jsonProblem. */
function literalShape(node: ValueNode): unknown {
  if (node.kind === Kind.OBJECT) return Object.fromEntries(node.fields.map((f) => [f.name.value, literalShape(f.value)]));
  if (node.kind === Kind.LIST) return node.values.map(literalShape);
  return node.kind === Kind.STRING ? node.value : null;
}

/**
 * A field may declare, with the extension `checksOwnInput`, that its resolver applies these rules
 * itself (signIn does, so that a refused attempt is still audited).
 */
export const CHECKS_OWN_INPUT = 'checksOwnInput';

/**
 * Checks every argument of every field the operation selects (fragments included), literal or
 * from variables, against the rules above. Throws the first problem as BAD_USER_INPUT naming the
 * argument or input field.
 */
export function assertOperationInput(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): void {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const visited = new Set<string>();
  const walk = (selectionSet: SelectionSetNode, typeName: string | undefined) => {
    const parentType = typeName ? schema.getType(typeName) : undefined;
    const fields = parentType && (isObjectType(parentType) || isInterfaceType(parentType)) ? parentType.getFields() : {};
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        const definition = name === '__type' ? TypeMetaFieldDef : fields[name];
        if (!definition) continue;
        if (!definition.extensions?.[CHECKS_OWN_INPUT]) {
          for (const argument of selection.arguments ?? []) {
            const argDef: GraphQLArgument | undefined = definition.args.find((a) => a.name === argument.name.value);
            if (argDef) checkLiteral(argument.value, argDef.type, argDef.name, null, variables);
          }
        }
        if (selection.selectionSet) walk(selection.selectionSet, namedTypeName(definition.type));
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        walk(selection.selectionSet, selection.typeCondition?.name.value ?? typeName);
      } else if (!visited.has(selection.name.value)) {
        visited.add(selection.name.value);
        const fragment = fragments.get(selection.name.value);
        if (fragment) walk(fragment.selectionSet, fragment.typeCondition.name.value);
      }
    }
  };
  walk(operation.selectionSet, schema.getRootType(operation.operation)?.name);
}

function namedTypeName(type: { ofType?: unknown; name?: string }): string | undefined {
  let current: { ofType?: unknown; name?: string } = type;
  while (current.ofType) current = current.ofType as typeof current;
  return current.name;
}

/** assertOperationInput on every request, before execution (and so before any SQL). */
export const inputRulesCheck: OperationCheck = (schema, document, operation, variables) => {
  try {
    assertOperationInput(schema, document, operation, variables);
  } catch (error) {
    if (error instanceof AppError) throw asRequestError(error);
    throw error;
  }
};
