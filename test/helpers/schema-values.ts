import {
  getNamedType,
  type GraphQLInputType,
  isCompositeType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  type OperationDefinitionNode,
  OperationTypeNode,
  type GraphQLSchema,
  typeFromAST,
} from 'graphql';

/** A well-formed value of each scalar, for arguments a test does not care about. */
const SAMPLE_SCALARS: Record<string, unknown> = {
  String: 'sample',
  ID: '00000000-0000-4000-8000-000000000000',
  Int: 1,
  Float: 1.5,
  Boolean: true,
  Date: '2025-01-01',
  DateTime: '2025-01-01T00:00:00Z',
  BigInt: '1',
  JSON: {},
};

export interface SampleOptions {
  /** Supplies ID values (real ones let a request get past the lookup to deeper checks). */
  id?: () => string;
  /** Leave out optional input fields, so only what is asked for can be wrong. */
  requiredOnly?: boolean;
}

/** A value of `type` that GraphQL coerces without complaint: input fields filled, lists of one. */
export function sampleValue(type: GraphQLInputType, options: SampleOptions = {}): unknown {
  if (isNonNullType(type)) return sampleValue(type.ofType, options);
  if (isListType(type)) return [sampleValue(type.ofType, options)];
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields()).filter((field) => !options.requiredOnly || isNonNullType(field.type));
    return Object.fromEntries(fields.map((field) => [field.name, sampleValue(field.type, options)]));
  }
  if (isEnumType(type)) return type.getValues()[0].name;
  if (type.name === 'ID' && options.id) return options.id();
  if (!(type.name in SAMPLE_SCALARS)) throw new Error(`no sample value for scalar ${type.name}: add one to SAMPLE_SCALARS`);
  return SAMPLE_SCALARS[type.name];
}

/** Sample values for every variable an operation declares. */
export function sampleVariables(schema: GraphQLSchema, operation: OperationDefinitionNode): Record<string, unknown> {
  return Object.fromEntries((operation.variableDefinitions ?? []).map((definition) => {
    const type = typeFromAST(schema, definition.type as never) as GraphQLInputType;
    return [definition.variable.name.value, sampleValue(type)];
  }));
}

/** A leaf (scalar or enum) place in a root field's arguments where a test can put any value. */
export interface ArgumentLeaf {
  /** `Mutation.createApp input.name`, for test titles. */
  label: string;
  /** The name a BAD_USER_INPUT error must give: the argument, or the field inside an input object. */
  field: string;
  /** The leaf's scalar or enum type name. */
  typeName: string;
  /**
   * The operation and its variables with `value` at this place and sample values everywhere else
   * (IDs from `id`).
   */
  request(value: unknown, id?: () => string): { query: string; variables: Record<string, unknown> };
}

/** The String and ID leaves only. */
export type StringArgument = ArgumentLeaf;

/** One step down into an argument value: a key or list index, and the type found there. */
interface Step {
  key: string | number;
  type: GraphQLInputType;
}

function leaves(type: GraphQLInputType, path: Step[], out: { path: Step[]; typeName: string }[]): void {
  const inner = isNonNullType(type) ? type.ofType : type;
  if (isListType(inner)) return leaves(inner.ofType, [...path, { key: 0, type: inner.ofType }], out);
  if (isInputObjectType(inner)) {
    for (const field of Object.values(inner.getFields())) leaves(field.type, [...path, { key: field.name, type: field.type }], out);
    return;
  }
  out.push({ path, typeName: inner.name });
}

/** Puts `value` at `path`, creating (with required-only samples) whatever lies on the way. */
function setAt(target: Record<string | number, unknown>, path: Step[], value: unknown, options: SampleOptions): void {
  let node = target;
  for (const step of path.slice(0, -1)) {
    node[step.key] ??= sampleValue(step.type, options);
    node = node[step.key] as Record<string | number, unknown>;
  }
  node[path[path.length - 1].key] = value;
}

/** Every String and ID argument and input field of every query and mutation, found in the schema itself. */
export function stringArguments(schema: GraphQLSchema): StringArgument[] {
  return argumentLeaves(schema).filter((leaf) => leaf.typeName === 'String' || leaf.typeName === 'ID');
}

/** Every leaf of every argument of every query and mutation, found in the schema itself. */
export function argumentLeaves(schema: GraphQLSchema): ArgumentLeaf[] {
  const sites: ArgumentLeaf[] = [];
  for (const operation of [OperationTypeNode.QUERY, OperationTypeNode.MUTATION]) {
    const root = schema.getRootType(operation);
    if (!root) continue;
    for (const field of Object.values(root.getFields())) {
      const named = getNamedType(field.type);
      const selection = isCompositeType(named) ? '{ __typename }' : '';
      const definitions = field.args.map((arg) => `$${arg.name}: ${arg.type}`).join(', ');
      const args = field.args.map((arg) => `${arg.name}: $${arg.name}`).join(', ');
      const query = `${operation}${definitions ? ` (${definitions})` : ''} { ${field.name}${args ? `(${args})` : ''} ${selection} }`;
      for (const arg of field.args) {
        const found: { path: Step[]; typeName: string }[] = [];
        leaves(arg.type, [{ key: arg.name, type: arg.type }], found);
        for (const { path, typeName } of found) {
          const names = path.map((step) => step.key).filter((key): key is string => typeof key === 'string');
          sites.push({
            label: `${root.name}.${field.name} ${names.join('.')}`,
            field: names.length === 1 ? names[0] : names.slice(1).join('.'),
            typeName,
            request(value, id) {
              const options = { id, requiredOnly: true };
              const required = field.args.filter((a) => isNonNullType(a.type));
              const variables = Object.fromEntries(required.map((a) => [a.name, sampleValue(a.type, options)]));
              setAt(variables, path, value, options);
              return { query, variables };
            },
          });
        }
      }
    }
  }
  return sites;
}
