import type { ReactNode } from 'react';
import { FormProblem } from './forms';

/** A status word with a colour, and the word itself for those who cannot see the colour. */
export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${status.toLowerCase()}`}>{status.charAt(0) + status.slice(1).toLowerCase()}</span>;
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status">
      Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

interface QueryState<T> {
  isPending: boolean;
  error: unknown;
  data: T | undefined;
}

/** A query's loading state, its error, an empty result (when `isEmpty` says so), or `children` with the data. */
export function QueryView<T>({ query, what, isEmpty, empty, children }: {
  query: QueryState<T>;
  /** What is loading, for "Loading <what>…". */
  what: string;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <Loading what={what} />;
  if (query.error || query.data === undefined) return <FormProblem error={query.error} />;
  if (isEmpty?.(query.data)) return <Empty>{empty}</Empty>;
  return <>{children(query.data)}</>;
}

interface ConnectionState<TNode> extends QueryState<{ nodes: TNode[]; totalCount: number }> {
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => unknown;
}

/** A keyset-paged list (hooks/queries.ts useConnection): its nodes so far, then a "Load more" button while there are more. */
export function ConnectionView<TNode>({ query, what, empty, children }: {
  query: ConnectionState<TNode>;
  what: string;
  empty: ReactNode;
  children: (nodes: TNode[]) => ReactNode;
}) {
  return (
    <>
      <QueryView query={query} what={what} isEmpty={(data) => data.nodes.length === 0} empty={empty}>
        {(data) => children(data.nodes)}
      </QueryView>
      {query.hasNextPage && (
        <button type="button" className="secondary" onClick={() => query.fetchNextPage()} disabled={query.isFetchingNextPage}>
          {query.isFetchingNextPage ? `Loading more ${what}…` : `Load more ${what}`}
        </button>
      )}
    </>
  );
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  // UTC, the zone of every date the API takes and every telemetry day.
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** A rate from 0 to 1 as a percentage with at most two decimals: 0.75 → "75%", 2/3 → "66.67%". */
export function formatPercent(rate: number): string {
  return `${(rate * 100).toLocaleString('en', { maximumFractionDigits: 2 })}%`;
}
