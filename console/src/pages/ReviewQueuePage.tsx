import { useState } from 'react';
import type { VersionsAwaitingReviewQuery } from '../../../sdk';
import { FormProblem, TextAreaField } from '../components/forms';
import { ConnectionView, Empty, formatDateTime } from '../components/status';
import { useApproveVersion, useMe, useRejectVersion, useReviewQueue } from '../hooks/queries';

type QueuedVersion = VersionsAwaitingReviewQuery['versionsAwaitingReview']['edges'][number]['node'];

export function ReviewQueuePage() {
  const me = useMe();
  const queue = useReviewQueue();
  const staff = me.data?.role === 'REVIEWER' || me.data?.role === 'ADMIN';
  if (me.data && !staff) return <Empty>The review queue is for reviewers and admins.</Empty>;
  return (
    <>
      <h1>Review queue</h1>
      <p className="lede">Versions waiting for review, longest waiting first.</p>
      <ConnectionView query={queue} what="versions" empty="Nothing is waiting for review.">
        {(versions) => (
          <ul className="queue">
            {versions.map((version) => (
              <ReviewItem key={version.id} version={version} ownApp={version.app.developer.id === me.data?.id} />
            ))}
          </ul>
        )}
      </ConnectionView>
    </>
  );
}

function ReviewItem({ version, ownApp }: { version: QueuedVersion; ownApp: boolean }) {
  const approve = useApproveVersion();
  const reject = useRejectVersion();
  const [notes, setNotes] = useState('');
  const title = `${version.app.name} ${version.versionName}`;
  const error = approve.error ?? reject.error;
  return (
    <li className="card" aria-label={title}>
      <h2>
        {version.app.name} <span className="muted">{version.versionName} (code {version.versionCode})</span>
      </h2>
      <dl className="facts">
        <dt>Package</dt>
        <dd>
          <code>{version.app.packageId}</code>
        </dd>
        <dt>Developer</dt>
        <dd>{version.app.developer.name}</dd>
        <dt>Uploaded</dt>
        <dd>{formatDateTime(version.createdAt)}</dd>
        <dt>Build</dt>
        <dd>
          <a href={version.packageUrl} rel="noreferrer noopener" target="_blank">
            {version.packageUrl}
          </a>{' '}
          ({Number(version.packageSize).toLocaleString('en')} bytes, SHA-256 <code className="wrap">{version.packageSha256}</code>)
        </dd>
        <dt>Permissions</dt>
        <dd>{version.permissions.join(', ') || 'none'}</dd>
        <dt>Release notes</dt>
        <dd>{version.releaseNotes ?? '—'}</dd>
      </dl>
      {ownApp ? (
        <p className="muted">You own this app, so another reviewer must review it.</p>
      ) : (
        <form onSubmit={(event) => event.preventDefault()}>
          <TextAreaField label={`Notes for ${title}`} name="notes" rows={2} value={notes} onChange={(e) => setNotes(e.target.value)} error={error} hint="Required to reject: say what must change." />
          <FormProblem error={error} labels={{ notes: 'Notes' }} />
          <span className="actions">
            <button type="button" onClick={() => { reject.reset(); approve.mutate({ id: version.id, notes: notes || null }); }} disabled={approve.isPending || reject.isPending}>
              Approve
            </button>
            <button type="button" className="danger" onClick={() => { approve.reset(); reject.mutate({ id: version.id, notes }); }} disabled={approve.isPending || reject.isPending}>
              Reject
            </button>
          </span>
        </form>
      )}
    </li>
  );
}
