import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { FormProblem, splitList, TextAreaField, TextField } from '../components/forms';
import { DataTable } from '../components/DataTable';
import { ConnectionView, formatDateTime, StatusBadge } from '../components/status';
import { useCreateApp, useMe, useMyApps } from '../hooks/queries';

export const APP_FIELD_LABELS = { packageId: 'Package ID', name: 'Name', description: 'Description', category: 'Category', tags: 'Tags' };

export function AppsPage() {
  const me = useMe();
  const apps = useMyApps(me.data?.id);
  return (
    <>
      <h1>Apps</h1>
      <section aria-labelledby="apps-heading">
        <h2 id="apps-heading">Your apps{apps.data && ` (${apps.data.totalCount})`}</h2>
        <ConnectionView query={apps} what="apps" empty="No apps yet. Create your first one below.">
          {(rows) => (
            <DataTable columns={['Name', 'Package ID', 'Status', 'Latest version', 'Updated']}>
              {rows.map((app) => (
                <tr key={app.id}>
                  <th scope="row">
                    <Link to={`/apps/${app.id}`}>{app.name}</Link>
                  </th>
                  <td>
                    <Link to={`/apps/${app.id}`}>
                      <code>{app.packageId}</code>
                    </Link>
                  </td>
                  <td>
                    <StatusBadge status={app.status} />
                  </td>
                  <td>{app.latestVersion ? `${app.latestVersion.versionName} (${app.latestVersion.versionCode})` : '—'}</td>
                  <td>{formatDateTime(app.updatedAt)}</td>
                </tr>
              ))}
            </DataTable>
          )}
        </ConnectionView>
      </section>
      <CreateAppForm />
    </>
  );
}

function CreateAppForm() {
  const create = useCreateApp();
  const empty = { packageId: '', name: '', description: '', category: '', tags: '' };
  const [input, setInput] = useState(empty);
  const set = (field: keyof typeof input) => (e: { target: { value: string } }) => setInput({ ...input, [field]: e.target.value });

  function submit(event: FormEvent) {
    event.preventDefault();
    const { tags, ...rest } = input;
    create.mutate({ input: { ...rest, tags: splitList(tags) } }, { onSuccess: () => setInput(empty) });
  }

  const created = create.data?.createApp;
  return (
    <section aria-labelledby="create-app-heading" className="card">
      <h2 id="create-app-heading">Create an app</h2>
      <form onSubmit={submit}>
        <div className="grid-2">
          <TextField label="Package ID" name="packageId" required value={input.packageId} onChange={set('packageId')} error={create.error} hint="Reverse-DNS, e.g. com.example.notes. It cannot change later." spellCheck={false} autoCapitalize="none" />
          <TextField label="Name" name="name" required value={input.name} onChange={set('name')} error={create.error} />
          <TextField label="Category" name="category" value={input.category} onChange={set('category')} error={create.error} />
          <TextField label="Tags" name="tags" value={input.tags} onChange={set('tags')} error={create.error} hint="Separated by commas." />
        </div>
        <TextAreaField label="Description" name="description" value={input.description} onChange={set('description')} error={create.error} />
        <FormProblem error={create.error} labels={APP_FIELD_LABELS} />
        <button type="submit" disabled={create.isPending}>
          Create app
        </button>
      </form>
      {created && (
        <p role="status">
          Created “{created.name}” as a draft. Open it from the list to upload a signed version.
        </p>
      )}
    </section>
  );
}
