import { GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { GraphQLDateTime } from 'graphql-scalars';
import { buildSchema } from 'type-graphql';
import { ApiKeyResolver, DeveloperApiKeysResolver } from '../api-keys/api-key.resolver';
import { AuditResolver } from '../audit/audit.resolver';
import { AuthResolver } from '../auth/auth.resolver';
import { DeveloperResolver } from '../developers/developer.resolver';
import { AppResolver, DeveloperAppsResolver } from '../apps/app.resolver';
import { DeveloperSigningKeysResolver, SigningKeyResolver } from '../signing-keys/signing-key.resolver';
import { AppVersionResolver, AppVersionsResolver } from '../versions/app-version.resolver';
import { AppTelemetryResolver, TelemetryResolver } from '../telemetry/telemetry.resolver';
import { CrashResolver } from '../crashes/crash.resolver';
import { RolloutResolver } from '../releases/rollout.resolver';
import { VersionHealthResolver } from '../releases/version-health.resolver';
import { DeveloperWebhooksResolver, WebhookResolver } from '../webhooks/webhook.resolver';
import { NodeResolver } from '../node/node.resolver';
import { APP_RENDERING, renderApp, renderApps } from '../apps/app-rendering';
import { DEVELOPER_RENDERING } from '../developers/developer-rendering';
import { VERSION_RENDERING } from '../versions/version-rendering';
import { EVENT_RENDERING, renderTelemetryEvents } from '../telemetry/telemetry-rendering';
import { CRASH_GROUP_RENDERING, renderCrashGroups } from '../crashes/crash-rendering';
import type { SqlRenderings } from './sql-answers';
import './bigint-json';

const resolvers = [
  AuthResolver, DeveloperResolver, ApiKeyResolver, DeveloperApiKeysResolver, AuditResolver,
  SigningKeyResolver, DeveloperSigningKeysResolver,
  AppResolver, DeveloperAppsResolver, AppVersionResolver, AppVersionsResolver,
  TelemetryResolver, AppTelemetryResolver, CrashResolver, RolloutResolver, VersionHealthResolver,
  WebhookResolver, DeveloperWebhooksResolver, NodeResolver,
] as const;

/**
 * Every @ObjectType says `simpleResolvers: true`: nothing here uses type-graphql middlewares or
 * its auth checker on plain fields, and without the option each plain field of each row gets a
 * wrapper resolver to call (Q2 of `npm run bench` reads 650 fields a request). @FieldResolver
 * methods are unaffected. test/schema.test.ts keeps new types to it.
 */
export function buildApiSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers,
    // Input classes carry their rules as class-validator decorators. Failures must not echo
    // the submitted values (a password, say) back in the error, hence target/value off.
    validate: { forbidUnknownValues: false, validationError: { target: false, value: false } },
    scalarsMap: [{ type: Date, scalar: GraphQLDateTime }],
  });
}

/** What PostgreSQL answers whole, by object type and by Query field (see src/graphql/sql-answers.ts). */
export const SQL_RENDERINGS: SqlRenderings = {
  types: {
    App: APP_RENDERING, Developer: DEVELOPER_RENDERING, AppVersion: VERSION_RENDERING, TelemetryEvent: EVENT_RENDERING,
    CrashGroup: CRASH_GROUP_RENDERING,
  },
  roots: { app: renderApp, apps: renderApps, telemetryEvents: renderTelemetryEvents, crashGroups: renderCrashGroups },
};

/** The SDL committed as schema.graphql: sorted, so the file changes only when the API does. */
export function printApiSchema(schema: GraphQLSchema): string {
  return printSchema(lexicographicSortSchema(schema)) + '\n';
}
