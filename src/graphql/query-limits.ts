import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import {
  type ArgumentNode,
  type ASTNode,
  type ASTVisitor,
  type DocumentNode,
  type FieldNode,
  GraphQLError,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
  visit,
} from 'graphql';
import { type ComplexityEstimator, getComplexity } from 'graphql-query-complexity';
import { DEFAULT_PAGE_SIZE } from './connection';
import { AppError, asRequestError } from './errors';
import type { OperationCheck } from './operation-checks';

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

/** The arguments that make a field a connection, and set its page size. */
const PAGE_SIZE_ARGUMENTS = new Set(['first', 'last']);

/**
 * The contract's cost: a connection (a field taking `first`) costs its page size (`first`, or
 * `last`, else the default page size) times the cost of what it selects; any other field costs 1
 * plus what it selects. So `apps(first: 100) { edges { node { developer { apps(first: 100) … } } } }`
 * multiplies, which is exactly the shape that took the server down.
 */
export const connectionCost: ComplexityEstimator = ({ field, args, childComplexity }) => {
  const isConnection = field.args.some((arg) => PAGE_SIZE_ARGUMENTS.has(arg.name));
  if (!isConnection) return 1 + childComplexity;
  const pageSize = Number(args.first ?? args.last ?? DEFAULT_PAGE_SIZE);
  // A negative or absurd `first` is refused later by the resolver; it must not lower the cost here.
  return Math.max(1, Number.isFinite(pageSize) ? pageSize : Number.MAX_SAFE_INTEGER) * childComplexity;
};

/** The cost of the operation a request runs, with its variables. */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
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

/** Distinct page sizes remembered per document; past this the memory starts over. */
const MAX_COSTS_PER_DOCUMENT = 256;

interface CostMemo {
  /** The variables a cost depends on: those giving a page size or a @skip/@include condition. */
  inputs: string[];
  costs: Map<string, number>;
}

/**
 * operationCost remembered per document (Apollo hands out the same parsed document for the same
 * text) and per value of the only variables a cost can depend on. Estimating walks the whole
 * operation and coerces every variable: about 150 µs for a hot read, most of the time the
 * checks would add to it (bench:checks).
 */
export class CostMemory {
  private readonly memos = new WeakMap<DocumentNode, CostMemo>();

  cost(schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined, variables: Record<string, unknown> | undefined): number {
    let memo = this.memos.get(document);
    if (!memo) {
      memo = { inputs: costInputs(document), costs: new Map() };
      this.memos.set(document, memo);
    }
    const key = JSON.stringify([operationName ?? null, ...memo.inputs.map((name) => variables?.[name] ?? null)]);
    let cost = memo.costs.get(key);
    if (cost === undefined) {
      cost = operationCost(schema, document, operationName, variables);
      if (memo.costs.size >= MAX_COSTS_PER_DOCUMENT) memo.costs.clear();
      memo.costs.set(key, cost);
    }
    return cost;
  }
}

function costInputs(document: DocumentNode): string[] {
  const names = new Set<string>();
  visit(document, {
    Variable(node, _key, parent, _path, ancestors) {
      const nodes = [...ancestors, parent].filter((a): a is ASTNode => a !== undefined && !Array.isArray(a) && typeof (a as ASTNode).kind === 'string');
      const argument = nodes.reverse().find((a) => a.kind === Kind.ARGUMENT) as ArgumentNode | undefined;
      const inDirective = nodes.some((a) => a.kind === Kind.DIRECTIVE);
      if (inDirective || (argument && PAGE_SIZE_ARGUMENTS.has(argument.name.value))) names.add(node.name.value);
    },
  });
  return [...names];
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
export function queryCostCheck(maxCost: number): OperationCheck {
  const memory = new CostMemory();
  return (schema, document, operation, variables) => {
    let cost: number;
    try {
      cost = memory.cost(schema, document, operation.name?.value, variables);
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
  };
}
