import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient, type QueryKey } from '@tanstack/react-query';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import {
  ApproveVersionDocument, AppDocument, AppsDocument, CompleteRolloutDocument, CrashGroupsDocument, CreateApiKeyDocument,
  CreateAppDocument, CreateVersionDocument, DeactivateSigningKeyDocument, HaltRolloutDocument, MeDocument, PauseRolloutDocument,
  PublishVersionDocument, RegisterSigningKeyDocument, RejectVersionDocument, ResumeRolloutDocument, RevokeApiKeyDocument,
  SignInDocument, SignOutDocument, SignUpDocument, SubmitVersionForReviewDocument, TelemetryDailyDocument, TelemetryEventsDocument,
  UpdateAppDocument, UpdateRolloutDocument, VersionHealthDocument, VersionsAwaitingReviewDocument,
} from '../../../sdk';
import { mosis } from '../api/mosis';
import { useSession } from '../api/session';

/** Query keys, in one place so mutations invalidate exactly what they change. */
const keys = {
  me: ['me'] as const,
  apps: ['apps'] as const,
  app: (id: string) => ['apps', id] as const,
  reviewQueue: ['review-queue'] as const,
  telemetry: (appId: string) => ['telemetry', appId] as const,
};

const PAGE_SIZE = 20;

interface Connection<TNode> {
  totalCount: number | string;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { node: TNode }[];
}

/**
 * A Relay connection read page by page ("load more"): `fetchPage` fetches the page after a cursor and
 * `connectionOf` picks the connection out of the result. `data` is every node loaded so far, plus the total.
 */
function useConnection<TResult, TNode>(options: {
  queryKey: QueryKey;
  enabled?: boolean;
  fetchPage: (page: { first: number; after: string | null }) => Promise<TResult>;
  connectionOf: (result: TResult) => Connection<TNode>;
}) {
  const { connectionOf } = options;
  return useInfiniteQuery({
    queryKey: options.queryKey,
    enabled: options.enabled,
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) => options.fetchPage({ first: PAGE_SIZE, after: pageParam }),
    getNextPageParam: (last) => {
      const { pageInfo } = connectionOf(last);
      return pageInfo.hasNextPage ? pageInfo.endCursor : null;
    },
    select: (data) => ({
      nodes: data.pages.flatMap((page) => connectionOf(page).edges.map((edge) => edge.node)),
      totalCount: Number(connectionOf(data.pages[0]).totalCount),
    }),
  });
}

/** A mutation of one SDK document that refreshes the given queries once it succeeds. */
function useMosisMutation<TResult, TVariables>(document: TypedDocumentNode<TResult, TVariables>, invalidates: QueryKey[] = []) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (variables: TVariables) => (mosis.request as (d: typeof document, v: TVariables) => Promise<TResult>)(document, variables),
    onSuccess: () => Promise.all(invalidates.map((queryKey) => queryClient.invalidateQueries({ queryKey }))),
  });
}

// Signing in and out

export function useSignUp() {
  return useMosisMutation(SignUpDocument);
}

export function useSignIn() {
  return useMosisMutation(SignInDocument);
}

export function useSignOut() {
  const session = useSession();
  return useMutation({
    mutationFn: () => mosis.request(SignOutDocument),
    // Whatever the server says (even a token it no longer knows), this browser forgets the token.
    onSettled: () => session.end(),
  });
}

/** The signed-in developer with their API keys and signing keys (a developer has few of each). */
export function useMe() {
  const { token } = useSession();
  return useQuery({ queryKey: keys.me, queryFn: () => mosis.request(MeDocument), enabled: !!token, select: (data) => data.me });
}

// API keys and signing keys

export const useCreateApiKey = () => useMosisMutation(CreateApiKeyDocument, [keys.me]);
export const useRevokeApiKey = () => useMosisMutation(RevokeApiKeyDocument, [keys.me]);
export const useRegisterSigningKey = () => useMosisMutation(RegisterSigningKeyDocument, [keys.me]);
export const useDeactivateSigningKey = () => useMosisMutation(DeactivateSigningKeyDocument, [keys.me]);

// Apps and versions

/** The developer's own apps, newest first, page by page. */
export function useMyApps(developerId: string | undefined) {
  return useConnection({
    queryKey: [...keys.apps, 'mine', developerId],
    enabled: !!developerId,
    fetchPage: (page) => mosis.request(AppsDocument, { developerId, ...page }),
    connectionOf: (result) => result.apps,
  });
}

/** One app with its newest versions (100, the most one page holds; apps rarely have more under review at once). */
export function useApp(id: string) {
  return useQuery({
    queryKey: keys.app(id),
    queryFn: () => mosis.request(AppDocument, { id, versionsFirst: 100 }),
    select: (data) => data.app,
  });
}

export const useCreateApp = () => useMosisMutation(CreateAppDocument, [keys.apps]);
export const useUpdateApp = () => useMosisMutation(UpdateAppDocument, [keys.apps]);
export const useCreateVersion = () => useMosisMutation(CreateVersionDocument, [keys.apps]);

export const useSubmitVersion = () => useMosisMutation(SubmitVersionForReviewDocument, [keys.apps, keys.reviewQueue]);
/** Publishes an approved version, fully or as a staged rollout. */
export const usePublishVersion = () => useMosisMutation(PublishVersionDocument, [keys.apps, keys.reviewQueue]);

// Rollouts of published versions: each change returns the version, and the app page shows its new state.

export const useUpdateRollout = () => useMosisMutation(UpdateRolloutDocument, [keys.apps]);
export const usePauseRollout = () => useMosisMutation(PauseRolloutDocument, [keys.apps]);
export const useResumeRollout = () => useMosisMutation(ResumeRolloutDocument, [keys.apps]);
export const useHaltRollout = () => useMosisMutation(HaltRolloutDocument, [keys.apps]);
export const useCompleteRollout = () => useMosisMutation(CompleteRolloutDocument, [keys.apps]);

// Review

export function useReviewQueue() {
  return useConnection({
    queryKey: keys.reviewQueue,
    fetchPage: (page) => mosis.request(VersionsAwaitingReviewDocument, page),
    connectionOf: (result) => result.versionsAwaitingReview,
  });
}

export const useApproveVersion = () => useMosisMutation(ApproveVersionDocument, [keys.reviewQueue, keys.apps]);
export const useRejectVersion = () => useMosisMutation(RejectVersionDocument, [keys.reviewQueue, keys.apps]);

// Telemetry

/** An inclusive range of UTC days, as YYYY-MM-DD. */
export interface DayRange {
  from: string;
  to: string;
}

export function useTelemetryDaily(appId: string, range: DayRange) {
  return useQuery({
    queryKey: [...keys.telemetry(appId), 'daily', range],
    queryFn: () => mosis.request(TelemetryDailyDocument, { appId, ...range }),
    select: (data) => data.telemetryDaily,
    placeholderData: keepPreviousData,
  });
}

/** Active and crashed devices per day and app version. */
export function useVersionHealth(appId: string, range: DayRange) {
  return useQuery({
    queryKey: [...keys.telemetry(appId), 'version-health', range],
    queryFn: () => mosis.request(VersionHealthDocument, { appId, ...range }),
    select: (data) => data.versionHealth,
    placeholderData: keepPreviousData,
  });
}

/** The instants that bound a range of whole UTC days. */
function instants(range: DayRange) {
  return { from: `${range.from}T00:00:00.000Z`, to: `${range.to}T23:59:59.999Z` };
}

export function useTelemetryEvents(appId: string, range: DayRange) {
  return useConnection({
    queryKey: [...keys.telemetry(appId), 'events', range],
    fetchPage: (page) => mosis.request(TelemetryEventsDocument, { appId, ...instants(range), ...page }),
    connectionOf: (result) => result.telemetryEvents,
  });
}

export function useCrashGroups(appId: string, range: DayRange) {
  return useConnection({
    queryKey: [...keys.telemetry(appId), 'crashes', range],
    fetchPage: (page) => mosis.request(CrashGroupsDocument, { appId, ...instants(range), ...page }),
    connectionOf: (result) => result.crashGroups,
  });
}
