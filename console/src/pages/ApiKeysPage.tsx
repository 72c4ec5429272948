import { type FormEvent, useState } from 'react';
import type { ApiKeyFieldsFragment } from '../../../sdk';
import { ConfirmButton } from '../components/ConfirmButton';
import { CopyButton } from '../components/CopyButton';
import { FormProblem, TextField } from '../components/forms';
import { DataTable } from '../components/DataTable';
import { formatDateTime, QueryView } from '../components/status';
import { useCreateApiKey, useMe, useRevokeApiKey } from '../hooks/queries';

/** The contract's scopes, with what each lets a key do. */
const SCOPES: { scope: string; meaning: string }[] = [
  { scope: 'apps:read', meaning: 'see your draft apps and unpublished versions' },
  { scope: 'apps:write', meaning: 'create and change apps, versions and signing keys' },
  { scope: 'telemetry:read', meaning: 'read telemetry and crash groups' },
  { scope: 'telemetry:write', meaning: 'send telemetry and crash reports (for devices)' },
  { scope: 'account:read', meaning: 'read your email, API keys and audit log' },
  { scope: 'account:write', meaning: 'create and revoke API keys' },
];

const LABELS = { name: 'Name', permissions: 'Scopes', expiresAt: 'Expires on' };

export function ApiKeysPage() {
  const me = useMe();
  return (
    <>
      <h1>API keys</h1>
      <p className="lede">A key acts as you with only the scopes you give it. Send it as <code>Authorization: Bearer mk_…</code>.</p>
      <CreateApiKeyForm />
      <section aria-labelledby="keys-heading">
        <h2 id="keys-heading">Your keys</h2>
        <QueryView query={me} what="API keys" isEmpty={(data) => !data?.apiKeys.length} empty="No API keys yet.">
          {(data) => (
            <DataTable columns={['Name', 'Prefix', 'Scopes', 'Created', 'Last used', 'Expires', 'State']}>
              {data!.apiKeys.map((key) => (
                <ApiKeyRow key={key.id} apiKey={key} />
              ))}
            </DataTable>
          )}
        </QueryView>
      </section>
    </>
  );
}

function CreateApiKeyForm() {
  const create = useCreateApiKey();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>([]);
  const [expiresOn, setExpiresOn] = useState('');

  function toggle(scope: string, on: boolean) {
    setScopes((current) => (on ? [...current, scope] : current.filter((s) => s !== scope)));
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    // The key works through the whole of the chosen (UTC) day.
    const expiresAt = expiresOn ? `${expiresOn}T23:59:59.999Z` : null;
    create.mutate({ input: { name, permissions: scopes, expiresAt } }, {
      onSuccess: () => {
        setName('');
        setScopes([]);
        setExpiresOn('');
      },
    });
  }

  const created = create.data?.createApiKey;
  return (
    <section aria-labelledby="create-key-heading" className="card">
      <h2 id="create-key-heading">Create an API key</h2>
      <form onSubmit={submit}>
        <TextField label="Name" name="name" required value={name} onChange={(e) => setName(e.target.value)} error={create.error} hint="What uses it, e.g. “CI” or “Android app”." />
        <fieldset>
          <legend>Scopes</legend>
          {SCOPES.map(({ scope, meaning }) => (
            <div className="checkbox" key={scope}>
              <input type="checkbox" id={`scope-${scope}`} checked={scopes.includes(scope)} onChange={(e) => toggle(scope, e.target.checked)} aria-describedby={`scope-${scope}-meaning`} />
              <label htmlFor={`scope-${scope}`}>{scope}</label>
              <span className="muted" id={`scope-${scope}-meaning`}>
                {meaning}
              </span>
            </div>
          ))}
        </fieldset>
        <TextField label="Expires on" name="expiresAt" type="date" value={expiresOn} onChange={(e) => setExpiresOn(e.target.value)} error={create.error} hint="Optional. The key stops working at the end of this UTC day." />
        <FormProblem error={create.error} labels={LABELS} />
        <button type="submit" disabled={create.isPending}>
          Create API key
        </button>
      </form>
      {created && (
        <div className="secret" role="status">
          <p>
            <strong>Copy the secret of “{created.apiKey.name}” now.</strong> It is shown only this once.
          </p>
          <p className="secret-row">
            <code data-testid="api-key-secret">{created.secret}</code>
            <CopyButton value={created.secret} label="Copy the API key secret" />
          </p>
        </div>
      )}
    </section>
  );
}

function ApiKeyRow({ apiKey }: { apiKey: ApiKeyFieldsFragment }) {
  const revoke = useRevokeApiKey();
  const expired = apiKey.expiresAt !== null && apiKey.expiresAt < new Date().toISOString();
  return (
    <tr>
      <th scope="row">{apiKey.name}</th>
      <td>
        <code>{apiKey.prefix}…</code>
      </td>
      <td>{apiKey.permissions.join(', ') || '—'}</td>
      <td>{formatDateTime(apiKey.createdAt)}</td>
      <td>{formatDateTime(apiKey.lastUsedAt)}</td>
      <td>{apiKey.expiresAt ? formatDateTime(apiKey.expiresAt) : 'never'}</td>
      <td>
        {apiKey.revokedAt ? (
          `Revoked ${formatDateTime(apiKey.revokedAt)}`
        ) : expired ? (
          'Expired'
        ) : (
          <ConfirmButton
            label="Revoke" accessibleLabel={`Revoke ${apiKey.name}`} confirmLabel={`Revoke “${apiKey.name}” now`}
            pending={revoke.isPending} onConfirm={() => revoke.mutate({ id: apiKey.id })}
          />
        )}
        <FormProblem error={revoke.error} />
      </td>
    </tr>
  );
}
