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

/** A value of `type` that GraphQL coerces without complaint: required input fields filled, lists of one. */
export function sampleValue(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return sampleValue(type.ofType);
  if (isListType(type)) return [sampleValue(type.ofType)];
  if (isInputObjectType(type)) {
    return Object.fromEntries(Object.values(type.getFields()).map((field) => [field.name, sampleValue(field.type)]));
  }
  if (isEnumType(type)) return type.getValues()[0].name;
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

/** A string-typed place in a root field's arguments where a test can put any text. */
export interface StringArgument {
  /** `Mutation.createApp input.name`, for test titles. */
  label: string;
  /** The name a BAD_USER_INPUT error must give: the argument, or the field inside an input object. */
  field: string;
  /** The operation and its variables with `value` at this place and sample values everywhere else. */
  request(value: unknown): { query: string; variables: Record<string, unknown> };
}

type Step = string | number;

function stringLeaves(type: GraphQLInputType, path: Step[], out: Step[][]): void {
  if (isNonNullType(type)) return stringLeaves(type.ofType, path, out);
  if (isListType(type)) return stringLeaves(type.ofType, [...path, 0], out);
  if (isInputObjectType(type)) {
    for (const field of Object.values(type.getFields())) stringLeaves(field.type, [...path, field.name], out);
    return;
  }
  if (type.name === 'String' || type.name === 'ID') out.push(path);
}

function setAt(target: Record<string, unknown>, path: Step[], value: unknown): void {
  let node: any = target;
  for (const step of path.slice(0, -1)) node = node[step];
  node[path[path.length - 1]] = value;
}

/** Every String and ID argument and input field of every query and mutation, found in the schema itself. */
export function stringArguments(schema: GraphQLSchema): StringArgument[] {
  const sites: StringArgument[] = [];
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
        const leaves: Step[][] = [];
        stringLeaves(arg.type, [arg.name], leaves);
        for (const leaf of leaves) {
          const names = leaf.filter((step): step is string => typeof step === 'string');
          sites.push({
            label: `${root.name}.${field.name} ${names.join('.')}`,
            field: names.length === 1 ? names[0] : names.slice(1).join('.'),
            request(value) {
              const variables = Object.fromEntries(field.args.map((a) => [a.name, sampleValue(a.type)])) as Record<string, unknown>;
              setAt(variables, leaf, value);
              return { query, variables };
            },
          });
        }
      }
    }
  }
  return sites;
}
