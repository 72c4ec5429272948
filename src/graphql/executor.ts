import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import { type DocumentNode, getVariableValues, type GraphQLSchema, printSchema } from 'graphql';
import { type CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';

/**
 * Executes operations with graphql-jit instead of graphql-js: each parsed document is compiled
 * once into plain JavaScript, which then runs without graphql-js's per-field interpretation
 * (argument coercion, type checks, path bookkeeping for every field of every row).
 *
 * Apollo Server accepts a custom executor only through its gateway interface, hence the shape.
 * Everything before execution is still Apollo's: parsing, validation with every validation rule,
 * persisted operations, plugins; errors are still shaped by its formatError.
 */
export function compiledExecution(schema: GraphQLSchema): GatewayInterface {
  // Apollo keeps one DocumentNode per distinct query text in its document cache, so compiled
  // queries live exactly as long as their documents.
  const compiled = new WeakMap<DocumentNode, Map<string, CompiledQuery>>();

  const compiledFor = (document: DocumentNode, operationName: string | null) => {
    let byOperation = compiled.get(document);
    if (!byOperation) compiled.set(document, (byOperation = new Map()));
    let query = byOperation.get(operationName ?? '');
    if (!query) {
      const result = compileQuery(schema, document, operationName ?? undefined);
      if (!isCompiledQuery(result)) return result;
      byOperation.set(operationName ?? '', (query = result));
    }
    return query;
  };

  const executor: GatewayExecutor = async ({ document, operation, operationName, request, context }) => {
    // graphql-js coerces variables first, so a bad variable gets graphql-js's exact error
    // (which Apollo reports as BAD_USER_INPUT with HTTP 400), not graphql-jit's wording.
    const variables = getVariableValues(schema, operation.variableDefinitions ?? [], request.variables ?? {});
    if (variables.errors) return { errors: variables.errors };
    const query = compiledFor(document, operationName);
    if (!isCompiledQuery(query)) return query;
    return query.query(undefined, context, request.variables ?? {});
  };

  return {
    async load() {
      return { executor };
    },
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: printSchema(schema) });
      return () => {};
    },
    async stop() {},
  };
}
