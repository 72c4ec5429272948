import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import {
  type DocumentNode, execute, type ExecutionResult, getVariableValues, GraphQLError, type GraphQLSchema,
  type OperationDefinitionNode, printSchema,
} from 'graphql';
import { type CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';
import type { RequestContext } from './context';

export interface OperationToRun {
  document: DocumentNode;
  operation: OperationDefinitionNode;
  operationName: string | null;
  variables: Record<string, unknown>;
  context: RequestContext;
}

/**
 * Executes operations with graphql-jit instead of graphql-js: each parsed document is compiled
 * once into plain JavaScript, which then runs without graphql-js's per-field interpretation
 * (argument coercion, type checks, path bookkeeping for every field of every row).
 *
 * Apollo Server runs them through `gateway()`, its only way to take a custom executor; the
 * direct path for known queries (src/http/direct-queries.ts) calls `run` itself.
 */
export class CompiledOperations {
  // Documents come from Apollo's document cache (one per distinct query text), so compiled
  // queries live exactly as long as their documents.
  private readonly compiled = new WeakMap<DocumentNode, Map<string, CompiledQuery>>();

  constructor(private readonly schema: GraphQLSchema) {}

  /**
   * A cached credential is re-read before anything changes, and before any answer leaves; if it
   * changed meanwhile, the operation runs again as the credential now allows. A credential that
   * no longer authenticates answers UNAUTHENTICATED (with its HTTP status).
   */
  async run(operation: OperationToRun): Promise<ExecutionResult> {
    const { context } = operation;
    try {
      if (operation.operation.operation !== 'query') await context.confirmCredential();
      const result = await this.runOnce(operation);
      return (await context.confirmCredential()) ? result : await this.runOnce(operation);
    } catch (error) {
      if (error instanceof GraphQLError) return { errors: [error] };
      throw error;
    }
  }

  gateway(): GatewayInterface {
    const { schema } = this;
    const executor: GatewayExecutor = async ({ source, document, operation, operationName, request, context: untyped }) => {
      const context = untyped as RequestContext;
      // The direct path ran this very operation and hands Apollo the outcome to report (errors).
      const handed = context.executed;
      if (handed?.source === source) {
        context.executed = undefined;
        return handed.outcome;
      }
      // No operation to run (several unnamed, or no such name): graphql-js words the error, and
      // Apollo answers it with HTTP 400, as it does without a custom executor.
      if (!operation) return execute({ schema, document, operationName: request.operationName, variableValues: request.variables });
      return this.run({ document, operation, operationName, variables: request.variables ?? {}, context });
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

  private async runOnce({ document, operation, operationName, variables, context }: OperationToRun): Promise<ExecutionResult> {
    // graphql-js coerces variables first, so a bad variable gets graphql-js's exact error
    // (which Apollo reports as BAD_USER_INPUT with HTTP 400), not graphql-jit's wording.
    const coerced = getVariableValues(this.schema, operation.variableDefinitions ?? [], variables);
    if (coerced.errors) return { errors: coerced.errors };
    const query = this.compiledFor(document, operationName);
    if (!isCompiledQuery(query)) return query;
    return withGraphQLErrors(await query.query(undefined, context, variables));
  }

  private compiledFor(document: DocumentNode, operationName: string | null): CompiledQuery | ExecutionResult {
    let byOperation = this.compiled.get(document);
    if (!byOperation) this.compiled.set(document, (byOperation = new Map()));
    let query = byOperation.get(operationName ?? '');
    if (!query) {
      const result = compileQuery(this.schema, document, operationName ?? undefined);
      if (!isCompiledQuery(result)) return result;
      byOperation.set(operationName ?? '', (query = result));
    }
    return query;
  }
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
