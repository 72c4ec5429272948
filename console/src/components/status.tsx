import type { ReactNode } from 'react';

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

/** The "load more" button of a keyset-paged list. */
export function LoadMore({ hasMore, loading, onClick, what }: { hasMore: boolean; loading: boolean; onClick: () => void; what: string }) {
  if (!hasMore) return null;
  return (
    <button type="button" className="secondary" onClick={onClick} disabled={loading}>
      {loading ? `Loading more ${what}…` : `Load more ${what}`}
    </button>
  );
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  // UTC, the zone of every date the API takes and every telemetry day.
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}
