import type { ApolloServerPlugin } from '@apollo/server';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import {
  type ASTVisitor,
  type FieldNode,
  GraphQLError,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { type ComplexityEstimator, getComplexity } from 'graphql-query-complexity';
import { DEFAULT_PAGE_SIZE } from './connection';
import { AppError, asRequestError } from './errors';

/** What one operation may ask for; the README's configuration table lists the variables behind each. */
export interface QueryLimits {
  /** Levels of nested selections (a leaf field under `me { apps { edges { node {` is level 5). */
  maxDepth: number;
  /** See connectionCost. */
  maxCost: number;
  maxAliases: number;
  /** Fields selected at the top of an operation (aliases included). */
  maxRootFields: number;
  /** Lexical tokens of the whole document: bounds parsing before any other check runs. */
  maxTokens: number;
  maxDirectives: number;
}

/** Fields whose cost the estimator counts before giving up; guards against fragment fan-out bombs. */
const MAX_COUNTED_FIELDS = 10_000;

/**
 * The contract's cost: a connection (a field taking `first`) costs its page size (`first`, or
 * `last`, else the default page size) times the cost of what it selects; any other field costs 1
 * plus what it selects. So `apps(first: 100) { edges { node { developer { apps(first: 100) … } } } }`
 * multiplies, which is exactly the shape that took the server down.
 */
export const connectionCost: ComplexityEstimator = ({ field, args, childComplexity }) => {
  const isConnection = field.args.some((arg) => arg.name === 'first');
  if (!isConnection) return 1 + childComplexity;
  const pageSize = Number(args.first ?? args.last ?? DEFAULT_PAGE_SIZE);
  // A negative or absurd `first` is refused later by the resolver; it must not lower the cost here.
  return Math.max(1, Number.isFinite(pageSize) ? pageSize : Number.MAX_SAFE_INTEGER) * childComplexity;
};

/** The cost of the operation a request runs, with its variables. */
export function operationCost(
  schema: Parameters<typeof getComplexity>[0]['schema'],
  document: Parameters<typeof getComplexity>[0]['query'],
  operationName: string | undefined,
  variables: Record<string, unknown> | undefined,
): number {
  return getComplexity({
    schema,
    query: document,
    operationName,
    variables,
    estimators: [connectionCost],
    maxQueryNodes: MAX_COUNTED_FIELDS,
  });
}

/** Armor's rules throw unless told to report; reporting keeps every problem in one response. */
const report = { propagateOnRejection: false, onReject: [(context: ValidationContext | null, error: GraphQLError) => context?.reportError(error)] };

function maxRootFieldsRule(limit: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(operation: OperationDefinitionNode) {
      const count = countRootFields(context, operation.selectionSet, new Set());
      if (count > limit) {
        context.reportError(new GraphQLError(`Query root field limit of ${limit} exceeded, found ${count}.`, { nodes: operation }));
      }
    },
  });
}

function countRootFields(context: ValidationContext, selectionSet: SelectionSetNode, seen: Set<string>): number {
  let count = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) count += (selection as FieldNode).name.value === '__typename' ? 0 : 1;
    else if (selection.kind === Kind.INLINE_FRAGMENT) count += countRootFields(context, selection.selectionSet, seen);
    else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = context.getFragment(selection.name.value);
      if (fragment) count += countRootFields(context, fragment.selectionSet, seen);
    }
  }
  return count;
}

/** graphql-js 16 only finds out at execution that there is no Subscription type; say so up front, as a client error. */
const supportedOperationsRule: ValidationRule = (context) => ({
  OperationDefinition(operation) {
    if (context.getSchema().getRootType(operation.operation)) return;
    context.reportError(new AppError('BAD_USER_INPUT', `This API has no ${operation.operation} operations; send a query or a mutation.`));
  },
});

/**
 * Checks on the document alone. Apollo validates a document once and caches it, so these cost
 * nothing on repeated operations (the hot path).
 */
export function queryLimitRules(limits: QueryLimits): ValidationRule[] {
  return [
    supportedOperationsRule,
    maxDepthRule({ n: limits.maxDepth, flattenFragments: true, ...report }),
    maxAliasesRule({ n: limits.maxAliases, ...report }),
    maxDirectivesRule({ n: limits.maxDirectives, ...report }),
    maxRootFieldsRule(limits.maxRootFields),
  ];
}

/**
 * The cost check depends on the variables (`first: $n`), so it runs per request, after the
 * operation is known and before anything executes or touches the database.
 */
export function queryCostPlugin(maxCost: number): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          let cost: number;
          try {
            cost = operationCost(schema, document, operation?.name?.value, request.variables);
          } catch (error) {
            // Variables that do not fit their types: execution refuses them before any resolver runs.
            if (error instanceof GraphQLError && /maximum allowed number of nodes/.test(error.message)) {
              throw asRequestError(new AppError('BAD_USER_INPUT', `Query is too large: it selects more than ${MAX_COUNTED_FIELDS} fields once fragments are expanded.`));
            }
            return;
          }
          if (cost > maxCost) {
            throw asRequestError(new AppError(
              'BAD_USER_INPUT',
              `Query cost limit of ${maxCost} exceeded, found ${cost}: a connection costs its page size (first) times what it selects. Ask for smaller pages or fewer nested lists.`,
              { cost, maxCost },
            ));
          }
        },
      };
    },
  };
}
