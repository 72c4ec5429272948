import { type FormEvent, useState } from 'react';
import { useParams } from 'react-router';
import type { AppFieldsFragment, AppVersionFieldsFragment } from '../../../sdk';
import { AppHeader, AppView } from '../components/AppHeader';
import { DataTable } from '../components/DataTable';
import { FormProblem, splitList, TextAreaField, TextField } from '../components/forms';
import { Empty, formatDateTime, StatusBadge } from '../components/status';
import { useCreateVersion, useSubmitVersion, useUpdateApp } from '../hooks/queries';
import { APP_FIELD_LABELS } from './AppsPage';
import { ReleaseCards, RolloutSummary } from './Rollouts';

export function AppPage() {
  const { appId = '' } = useParams();
  return (
    <AppView appId={appId}>
      {(app) => {
        const versions = app.versions.edges.map((edge) => edge.node);
        return (
          <>
            <AppHeader app={app} />
            {app.description && <p className="lede">{app.description}</p>}
            <section aria-labelledby="versions-heading">
              <h2 id="versions-heading">Versions ({app.versions.totalCount})</h2>
              {versions.length === 0 ? <Empty>No versions yet. Upload a signed build below.</Empty> : <VersionTable versions={versions} />}
            </section>
            <ReleaseCards versions={versions} />
            <div className="grid-2 cards">
              <UploadVersionForm app={app} nextCode={(versions[0]?.versionCode ?? 0) + 1} />
              <EditAppForm app={app} />
            </div>
          </>
        );
      }}
    </AppView>
  );
}

function VersionTable({ versions }: { versions: AppVersionFieldsFragment[] }) {
  return (
    <DataTable columns={['Version', 'Code', 'Review state', 'Reviewer notes', 'Published', 'Rollout', 'Actions']}>
      {versions.map((version) => (
        <tr key={version.id}>
          <th scope="row">{version.versionName}</th>
          <td>{version.versionCode}</td>
          <td>
            <StatusBadge status={version.status} />
          </td>
          <td>{version.reviewNotes ?? '—'}</td>
          <td>{formatDateTime(version.publishedAt)}</td>
          <td>
            <RolloutSummary rollout={version.rollout} />
          </td>
          <td>
            <VersionActions version={version} />
          </td>
        </tr>
      ))}
    </DataTable>
  );
}

/** Where the owner can act on a version in each state, in words, when the table has no button for it. */
function nextStep(version: AppVersionFieldsFragment): string {
  if (version.status === 'REVIEW') return 'Waiting for a reviewer';
  if (version.status === 'APPROVED') return 'Ready: publish it under Releases';
  const state = version.rollout?.state;
  if (state === 'ACTIVE' || state === 'PAUSED') return 'Rolling out: see Releases';
  if (state === 'HALTED') return 'Offered to no device';
  return 'Live';
}

/** Submitting a draft or rejected version for review; for other states, what comes next. */
function VersionActions({ version }: { version: AppVersionFieldsFragment }) {
  const submit = useSubmitVersion();
  if (version.status !== 'DRAFT' && version.status !== 'REJECTED') return <span className="muted">{nextStep(version)}</span>;
  return (
    <>
      <button type="button" onClick={() => submit.mutate({ id: version.id })} disabled={submit.isPending} aria-label={`Submit ${version.versionName} for review`}>
        Submit for review
      </button>
      <FormProblem error={submit.error} />
    </>
  );
}

const VERSION_LABELS = {
  versionCode: 'Version code', versionName: 'Version name', packageUrl: 'Package URL', packageSize: 'Package size (bytes)',
  packageSha256: 'Package SHA-256', signature: 'Signature (base64)', permissions: 'Permissions', releaseNotes: 'Release notes',
};

function UploadVersionForm({ app, nextCode }: { app: AppFieldsFragment; nextCode: number }) {
  const create = useCreateVersion();
  const empty = { versionCode: String(nextCode), versionName: '', packageUrl: '', packageSize: '', packageSha256: '', signature: '', permissions: '', releaseNotes: '' };
  const [input, setInput] = useState(empty);
  const set = (field: keyof typeof input) => (e: { target: { value: string } }) => setInput({ ...input, [field]: e.target.value });

  function submit(event: FormEvent) {
    event.preventDefault();
    const { versionCode, permissions, releaseNotes, ...rest } = input;
    create.mutate(
      { input: { ...rest, appId: app.id, versionCode: Number(versionCode), permissions: splitList(permissions), releaseNotes: releaseNotes || null } },
      { onSuccess: () => setInput({ ...empty, versionCode: String(Number(versionCode) + 1) }) },
    );
  }

  const message = `mosis-package-v1:${app.packageId}:${input.versionCode || '<versionCode>'}:${input.packageSha256 || '<packageSha256>'}`;
  return (
    <section aria-labelledby="upload-heading" className="card">
      <h2 id="upload-heading">Upload a signed version</h2>
      <form onSubmit={submit}>
        <div className="grid-2">
          <TextField label="Version code" name="versionCode" type="number" min={1} step={1} required value={input.versionCode} onChange={set('versionCode')} error={create.error} />
          <TextField label="Version name" name="versionName" required value={input.versionName} onChange={set('versionName')} error={create.error} placeholder="1.0.0" />
        </div>
        <TextField label="Package URL" name="packageUrl" type="url" required value={input.packageUrl} onChange={set('packageUrl')} error={create.error} />
        <div className="grid-2">
          <TextField label="Package size (bytes)" name="packageSize" inputMode="numeric" required value={input.packageSize} onChange={set('packageSize')} error={create.error} />
          <TextField label="Permissions" name="permissions" value={input.permissions} onChange={set('permissions')} error={create.error} hint="Separated by commas." />
        </div>
        <TextField label="Package SHA-256" name="packageSha256" required value={input.packageSha256} onChange={set('packageSha256')} error={create.error} className="mono" spellCheck={false} hint="64 lowercase hex characters." />
        <TextAreaField
          label="Signature (base64)" name="signature" required rows={2} value={input.signature} onChange={set('signature')} error={create.error} className="mono" spellCheck={false}
          hint={<>Ed25519, by one of your active signing keys, over <code className="wrap">{message}</code></>}
        />
        <TextAreaField label="Release notes" name="releaseNotes" rows={2} value={input.releaseNotes} onChange={set('releaseNotes')} error={create.error} />
        <FormProblem error={create.error} labels={VERSION_LABELS} />
        <button type="submit" disabled={create.isPending}>
          Upload version
        </button>
      </form>
      {create.data && <p role="status">Uploaded {create.data.createVersion.versionName} as a draft: submit it for review when ready.</p>}
    </section>
  );
}

function EditAppForm({ app }: { app: AppFieldsFragment }) {
  const update = useUpdateApp();
  const [input, setInput] = useState({ name: app.name, description: app.description ?? '', category: app.category ?? '', tags: app.tags.join(', ') });
  const set = (field: keyof typeof input) => (e: { target: { value: string } }) => setInput({ ...input, [field]: e.target.value });

  function submit(event: FormEvent) {
    event.preventDefault();
    update.mutate({ id: app.id, input: { ...input, tags: splitList(input.tags) } });
  }

  return (
    <section aria-labelledby="edit-heading" className="card">
      <h2 id="edit-heading">Details</h2>
      <form onSubmit={submit}>
        <TextField label="App name" name="name" required value={input.name} onChange={set('name')} error={update.error} />
        <TextField label="Category" name="category" value={input.category} onChange={set('category')} error={update.error} />
        <TextField label="Tags" name="tags" value={input.tags} onChange={set('tags')} error={update.error} hint="Separated by commas." />
        <TextAreaField label="Description" name="description" value={input.description} onChange={set('description')} error={update.error} />
        <FormProblem error={update.error} labels={{ ...APP_FIELD_LABELS, name: 'App name' }} />
        <button type="submit" disabled={update.isPending}>
          Save changes
        </button>
      </form>
      {update.isSuccess && <p role="status">Saved.</p>}
    </section>
  );
}
