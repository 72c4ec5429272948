import { type FormEvent, useId, useState } from 'react';
import type { AppVersionFieldsFragment, RolloutFieldsFragment } from '../../../sdk';
import { ConfirmButton } from '../components/ConfirmButton';
import { FormProblem, TextField } from '../components/forms';
import { formatPercent, StatusBadge } from '../components/status';
import {
  useCompleteRollout, useHaltRollout, usePauseRollout, usePublishVersion, useResumeRollout, useUpdateRollout,
} from '../hooks/queries';

const PUBLISH_LABELS = { rolloutPercentage: 'Rollout percentage', haltBelowCrashFreeRate: 'Halt below crash-free rate' };

/** A rollout in one line: its share of devices, its state, and what else governs it. */
export function RolloutSummary({ rollout }: { rollout: RolloutFieldsFragment | null | undefined }) {
  if (!rollout) return <>—</>;
  const details = [
    rollout.phased && 'phased',
    rollout.haltBelowCrashFreeRate != null && `halts below ${formatPercent(rollout.haltBelowCrashFreeRate)} crash-free`,
    rollout.haltedReason && `halted: ${rollout.haltedReason}`,
  ].filter(Boolean);
  return (
    <>
      <span className="nowrap">
        {rollout.percentage}% <StatusBadge status={rollout.state} />
      </span>
      {details.length > 0 && <span className="rollout-details"> · {details.join(' · ')}</span>}
    </>
  );
}

/** The owner's release controls for the versions that have any: publishing an approved one, steering a live rollout. */
export function ReleaseCards({ versions }: { versions: AppVersionFieldsFragment[] }) {
  const approved = versions.filter((version) => version.status === 'APPROVED');
  const rolling = versions.filter((version) => version.rollout?.state === 'ACTIVE' || version.rollout?.state === 'PAUSED');
  if (approved.length + rolling.length === 0) return null;
  return (
    <section aria-labelledby="releases-heading">
      <h2 id="releases-heading">Releases</h2>
      <div className="grid-2 cards">
        {approved.map((version) => <PublishCard key={version.id} version={version} />)}
        {rolling.map((version) => <RolloutCard key={version.id} version={version} rollout={version.rollout!} />)}
      </div>
    </section>
  );
}

/** An optional number field's value: absent when empty (the browser's number input leaves non-numbers empty). */
const optionalNumber = (text: string) => (text.trim() === '' ? null : Number(text));

function PublishCard({ version }: { version: AppVersionFieldsFragment }) {
  const publish = usePublishVersion();
  const headingId = useId();
  const [input, setInput] = useState({ rolloutPercentage: '', phased: false, haltBelowCrashFreeRate: '' });

  function submit(event: FormEvent) {
    event.preventDefault();
    publish.mutate({
      id: version.id,
      rolloutPercentage: optionalNumber(input.rolloutPercentage),
      phased: input.phased,
      haltBelowCrashFreeRate: optionalNumber(input.haltBelowCrashFreeRate),
    });
  }

  return (
    <section aria-labelledby={headingId} className="card">
      <h3 id={headingId}>Publish {version.versionName}</h3>
      <form onSubmit={submit}>
        <TextField
          label="Rollout percentage" name="rolloutPercentage" type="number" step="any" value={input.rolloutPercentage} error={publish.error}
          onChange={(e) => setInput({ ...input, rolloutPercentage: e.target.value })}
          hint="Empty: every device at once. 10: one device in ten, chosen by a fixed hash of its ID, so raising it later only adds devices."
        />
        <CheckboxField
          label="Phased release" checked={input.phased} onChange={(phased) => setInput({ ...input, phased })}
          hint="Starts at 1% and steps through 1, 2, 5, 10, 20, 50 and 100%, one step a day (the server's phase interval)."
        />
        <TextField
          label="Halt below crash-free rate" name="haltBelowCrashFreeRate" type="number" step="any" value={input.haltBelowCrashFreeRate} error={publish.error}
          onChange={(e) => setInput({ ...input, haltBelowCrashFreeRate: e.target.value })}
          hint="Optional, for a staged rollout: a rate from 0 to 1. With 0.99 it halts itself once fewer than 99% of its devices (at least 50) are crash-free."
        />
        <FormProblem error={publish.error} labels={PUBLISH_LABELS} />
        <button type="submit" disabled={publish.isPending}>
          Publish {version.versionName}
        </button>
      </form>
    </section>
  );
}

function CheckboxField({ label, checked, onChange, hint }: { label: string; checked: boolean; onChange: (checked: boolean) => void; hint: string }) {
  const id = useId();
  return (
    <div className="field check-field">
      <span>
        <input type="checkbox" id={id} checked={checked} onChange={(e) => onChange(e.target.checked)} aria-describedby={`${id}-hint`} />{' '}
        <label htmlFor={id}>{label}</label>
      </span>
      <p className="hint" id={`${id}-hint`}>{hint}</p>
    </div>
  );
}

/** A live rollout (ACTIVE or PAUSED) and the owner's moves: raise, pause or resume, halt, complete. */
function RolloutCard({ version, rollout }: { version: AppVersionFieldsFragment; rollout: RolloutFieldsFragment }) {
  const headingId = useId();
  const update = useUpdateRollout();
  const pause = usePauseRollout();
  const resume = useResumeRollout();
  const halt = useHaltRollout();
  const complete = useCompleteRollout();
  const [percentage, setPercentage] = useState('');
  const [reason, setReason] = useState('');
  const versionId = version.id;
  const paused = rollout.state === 'PAUSED';
  const toggle = paused ? resume : pause;

  function raise(event: FormEvent) {
    event.preventDefault();
    update.mutate({ versionId, percentage: Number(percentage) }, { onSuccess: () => setPercentage('') });
  }

  function stop(event: FormEvent) {
    event.preventDefault();
    halt.mutate({ versionId, reason });
  }

  return (
    <section aria-labelledby={headingId} className="card">
      <h3 id={headingId}>Rollout of {version.versionName}</h3>
      <p role="status">
        <RolloutSummary rollout={rollout} />
      </p>
      <form onSubmit={raise} className="inline-form">
        <TextField
          label="New percentage" name="percentage" type="number" step="any" required value={percentage} error={update.error}
          onChange={(e) => setPercentage(e.target.value)} hint={`Above the current ${rollout.percentage}%; 100 completes the rollout.`}
        />
        <button type="submit" disabled={update.isPending}>
          Raise percentage
        </button>
      </form>
      <FormProblem error={update.error} labels={{ percentage: 'New percentage' }} />
      <p className="actions">
        <button type="button" className="secondary" onClick={() => toggle.mutate({ versionId })} disabled={toggle.isPending}>
          {paused ? 'Resume rollout' : 'Pause rollout'}
        </button>
        <ConfirmButton
          label="Complete rollout" accessibleLabel={`Complete the rollout of ${version.versionName}`}
          confirmLabel={`Offer ${version.versionName} to every device`} pending={complete.isPending}
          onConfirm={() => complete.mutate({ versionId })}
        />
      </p>
      <FormProblem error={toggle.error ?? complete.error} />
      <form onSubmit={stop} className="inline-form">
        <TextField
          label="Reason for halting" name="reason" value={reason} error={halt.error} onChange={(e) => setReason(e.target.value)}
          hint="Halting stops offering this version to any device; it cannot be resumed."
        />
        <button type="submit" className="danger" disabled={halt.isPending}>
          Halt rollout
        </button>
      </form>
      <FormProblem error={halt.error} labels={{ reason: 'Reason for halting' }} />
    </section>
  );
}
