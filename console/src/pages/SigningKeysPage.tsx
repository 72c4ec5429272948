import { type FormEvent, useState } from 'react';
import type { SigningKeyFieldsFragment } from '../../../sdk';
import { ConfirmButton } from '../components/ConfirmButton';
import { FormProblem, TextAreaField, TextField } from '../components/forms';
import { DataTable } from '../components/DataTable';
import { formatDateTime, QueryView } from '../components/status';
import { useDeactivateSigningKey, useMe, useRegisterSigningKey } from '../hooks/queries';

const LABELS = { name: 'Key name', publicKey: 'Public key (PEM)' };

export function SigningKeysPage() {
  const me = useMe();
  return (
    <>
      <h1>Signing keys</h1>
      <p className="lede">
        Versions are signed with Ed25519. Register the public half here; keep the private key with your build tooling.
        <code className="block">openssl genpkey -algorithm ed25519 -out release.pem && openssl pkey -in release.pem -pubout</code>
      </p>
      <RegisterSigningKeyForm />
      <section aria-labelledby="signing-keys-heading">
        <h2 id="signing-keys-heading">Your signing keys</h2>
        <QueryView query={me} what="signing keys" isEmpty={(data) => !data?.signingKeys.length} empty="No signing keys yet: register one before uploading a version.">
          {(data) => (
            <DataTable columns={['Name', 'Fingerprint (SHA-256 of the key)', 'Registered', 'State']}>
              {data!.signingKeys.map((key) => (
                <SigningKeyRow key={key.id} signingKey={key} />
              ))}
            </DataTable>
          )}
        </QueryView>
      </section>
    </>
  );
}

function RegisterSigningKeyForm() {
  const register = useRegisterSigningKey();
  const [name, setName] = useState('');
  const [publicKey, setPublicKey] = useState('');

  function submit(event: FormEvent) {
    event.preventDefault();
    register.mutate({ input: { name, publicKey } }, {
      onSuccess: () => {
        setName('');
        setPublicKey('');
      },
    });
  }

  const registered = register.data?.registerSigningKey;
  return (
    <section aria-labelledby="register-key-heading" className="card">
      <h2 id="register-key-heading">Register a signing key</h2>
      <form onSubmit={submit}>
        <TextField label="Key name" name="name" required value={name} onChange={(e) => setName(e.target.value)} error={register.error} />
        <TextAreaField
          label="Public key (PEM)" name="publicKey" required value={publicKey} onChange={(e) => setPublicKey(e.target.value)} error={register.error}
          placeholder={'-----BEGIN PUBLIC KEY-----\n…\n-----END PUBLIC KEY-----'} spellCheck={false} className="mono"
        />
        <FormProblem error={register.error} labels={LABELS} />
        <button type="submit" disabled={register.isPending}>
          Register signing key
        </button>
      </form>
      {registered && (
        <p role="status">
          Registered “{registered.name}”, fingerprint <code className="fingerprint">{registered.fingerprint}</code>
        </p>
      )}
    </section>
  );
}

function SigningKeyRow({ signingKey }: { signingKey: SigningKeyFieldsFragment }) {
  const deactivate = useDeactivateSigningKey();
  return (
    <tr>
      <th scope="row">{signingKey.name}</th>
      <td>
        <code className="fingerprint">{signingKey.fingerprint}</code>
      </td>
      <td>{formatDateTime(signingKey.createdAt)}</td>
      <td>
        {signingKey.isActive ? (
          <ConfirmButton
            label="Deactivate" accessibleLabel={`Deactivate ${signingKey.name}`} confirmLabel={`Deactivate “${signingKey.name}” now`}
            pending={deactivate.isPending} onConfirm={() => deactivate.mutate({ id: signingKey.id })}
          />
        ) : (
          'Inactive'
        )}
        <FormProblem error={deactivate.error} />
      </td>
    </tr>
  );
}
