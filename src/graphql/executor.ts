import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import {
  type DocumentNode, execute, type ExecutionResult, getVariableValues, GraphQLError, type GraphQLSchema, printSchema,
} from 'graphql';
import { type CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';
import type { RequestContext } from './context';

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

  const executor: GatewayExecutor = async ({ document, operation, operationName, request, context: untyped }) => {
    const context = untyped as RequestContext;
    const run = async (): Promise<ExecutionResult> => {
      // No operation to run (several unnamed, or no such name): graphql-js words the error, and
      // Apollo answers it with HTTP 400, as it does without a custom executor.
      if (!operation) return execute({ schema, document, operationName: request.operationName, variableValues: request.variables });
      // graphql-js coerces variables first, so a bad variable gets graphql-js's exact error
      // (which Apollo reports as BAD_USER_INPUT with HTTP 400), not graphql-jit's wording.
      const variables = getVariableValues(schema, operation.variableDefinitions ?? [], request.variables ?? {});
      if (variables.errors) return { errors: variables.errors };
      const query = compiledFor(document, operationName);
      if (!isCompiledQuery(query)) return query;
      return withGraphQLErrors(await query.query(undefined, context, request.variables ?? {}));
    };
    try {
      // A cached credential is re-read before anything changes, and before any answer leaves;
      // if it changed meanwhile, the read runs again as the credential now allows.
      if (operation && operation.operation !== 'query') await context.confirmCredential();
      const result = await run();
      return (await context.confirmCredential()) ? result : await run();
    } catch (error) {
      // The credential no longer authenticates (UNAUTHENTICATED, with its HTTP status).
      if (error instanceof GraphQLError) return { errors: [error] };
      throw error;
    }
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

/**
 * graphql-jit's errors imitate graphql-js's but leave `extensions` undefined when the thrown
 * error had none (a failed SQL statement, say), where Apollo's error formatting expects an
 * object. Re-created as graphql-js errors, they format exactly as they would without the JIT.
 */
function withGraphQLErrors(result: ExecutionResult): ExecutionResult {
  if (!result.errors) return result;
  const errors = result.errors.map((error) => {
    const normalized = new GraphQLError(error.message, { path: error.path, originalError: error.originalError ?? undefined });
    // graphql-jit knows the locations but not the AST nodes graphql-js would compute them from.
    return Object.assign(normalized, { locations: error.locations });
  });
  return { ...result, errors };
}
