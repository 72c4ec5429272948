import {
  type GraphQLInputType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  type OperationDefinitionNode,
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
