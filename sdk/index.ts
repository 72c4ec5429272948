// The Mosis SDK: a typed client plus one typed document per operation in sdk/operations/.
export { createMosisClient, type MosisClient, type MosisClientOptions } from './client';
export {
  MosisGraphQLError, MosisHttpError, MosisIngestError, type GraphQLErrorEntry, type IngestItemError, type MosisErrorCode,
} from './errors';
export type { CrashReportInput, IngestResult, TelemetryEventInput } from './ingest';
export * from './generated/graphql';
