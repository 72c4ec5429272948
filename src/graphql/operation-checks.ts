import type { ApolloServerPlugin } from '@apollo/server';
import type { DocumentNode, GraphQLSchema, OperationDefinitionNode } from 'graphql';

/**
 * A rule on an operation together with its variables, so it runs on every request (a cached
 * document skips validation rules), after the operation is known and before anything executes.
 * Throws the error to answer with.
 */
export type OperationCheck = (
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
) => void;

/** Runs the checks in Apollo Server's request pipeline; the direct path runs the same list itself. */
export function operationChecksPlugin(checks: readonly OperationCheck[]): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          // No operation to run: execution answers that, before any resolver.
          if (!operation) return;
          for (const check of checks) check(schema, document, operation, request.variables ?? {});
        },
      };
    },
  };
}
