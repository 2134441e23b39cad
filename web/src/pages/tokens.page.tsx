import { useCallback, useEffect, useState, type FormEvent, type ChangeEvent } from 'react';
import { Button, Checkbox, Fieldset, Form } from '@trussworks/react-uswds';
import { api, TOKEN_SCOPES, type Token, type TokenScope } from '../api.ts';
import { ConfirmDialog, CreateActions, ErrorAlert, FocusAlert, focusFirstInvalid, PageHeading, Panel, problemFieldErrors, ScrollTable, SecretOnce, TextField, TimeCell } from '../components/common.component.tsx';

const DEFAULT_EXPIRY_DAYS = 90;
const MAX_EXPIRY_DAYS = 366;

const SCOPE_HELP: Record<TokenScope, string> = {
  read: 'Read records you can see.',
  write: 'Create and change records on your behalf.',
  admin: 'Administrative calls you are allowed to make (manage users, members, organisations).',
};

function NewTokenForm({ onCreated, onCancel }: { onCreated: (token: Token, secret: string) => void; onCancel: () => void }) {
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<TokenScope[]>(['read']);
  const [days, setDays] = useState(String(DEFAULT_EXPIRY_DAYS));
  const [error, setError] = useState<unknown>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const expiresInDays = Number(days);
    const found: Record<string, string> = {};
    if (!name.trim()) found.name = 'Enter what the token is for.';
    if (scopes.length === 0) found.scopes = 'Choose at least one scope.';
    if (!days.trim() || !Number.isInteger(expiresInDays) || expiresInDays < 1 || expiresInDays > MAX_EXPIRY_DAYS)
      found.expiresInDays = `Expiry must be a whole number of days from 1 to ${MAX_EXPIRY_DAYS}.`;
    setErrors(found);
    if (Object.keys(found).length > 0) return focusFirstInvalid(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      const created = await api.createToken({ name: name.trim(), scopes: TOKEN_SCOPES.filter((s) => scopes.includes(s)), expiresInDays });
      onCreated(created.token, created.secret);
    } catch (err) {
      setErrors(problemFieldErrors(err));
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Panel id="new-token" heading="New API token">
      <ErrorAlert error={error} heading="The token was not created" />
      <Form onSubmit={submit} large noValidate>
        <TextField id="token-name" label="Token name" hint={'What the token is for, for example "nightly SBOM upload".'} error={errors.name} name="name" type="text" value={name} onChange={setName} />
        <div className={`usa-form-group${errors.scopes ? ' usa-form-group--error' : ''}`}>
          <Fieldset legend="Scopes" aria-describedby={errors.scopes ? 'token-scopes-error' : undefined}>
            {errors.scopes && (
              <span className="usa-error-message" id="token-scopes-error">
                {errors.scopes}
              </span>
            )}
            {TOKEN_SCOPES.map((scope) => (
              <Checkbox
                key={scope}
                id={`token-scope-${scope}`}
                name="scopes"
                value={scope}
                label={scope}
                labelDescription={SCOPE_HELP[scope]}
                checked={scopes.includes(scope)}
                onChange={(e: ChangeEvent<HTMLInputElement>) => setScopes((cur) => (e.target.checked ? [...cur, scope] : cur.filter((s) => s !== scope)))}
              />
            ))}
          </Fieldset>
        </div>
        <TextField id="token-expiry" label="Expires after (days)" hint={`From 1 to ${MAX_EXPIRY_DAYS} days.`} error={errors.expiresInDays} name="expiresInDays" type="number" inputSize="small" min={1} max={MAX_EXPIRY_DAYS} value={days} onChange={setDays} />
        <CreateActions busy={busy} what="token" onCancel={onCancel} />
      </Form>
    </Panel>
  );
}

function tokenState(token: Token): string {
  if (token.revokedAt) return 'Revoked';
  if (token.expiresAt && Date.parse(token.expiresAt) <= Date.now()) return 'Expired';
  return 'Active';
}

export function TokensPage() {
  const [tokens, setTokens] = useState<Token[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<{ token: Token; secret: string } | null>(null);
  const [revoking, setRevoking] = useState<Token | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setTokens(await api.listTokens());
    } catch (err) {
      setError(err);
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  const revoke = async (token: Token) => {
    setRevoking(null);
    setError(null);
    try {
      await api.revokeToken(token.id);
      setCreated((c) => (c?.token.id === token.id ? null : c));
      setNotice(`Token "${token.name}" has been revoked. Programs using it can no longer call the API.`);
      await load();
    } catch (err) {
      setError(err);
    }
  };

  return (
    <>
      <div className="ch-title-row">
        <PageHeading>API tokens</PageHeading>
        {!creating && (
          <Button
            type="button"
            onClick={() => {
              setCreated(null);
              setNotice(null);
              setCreating(true);
            }}
          >
            New token
          </Button>
        )}
      </div>
      <p>
        Tokens let scripts call the API as you, limited to the scopes you choose. Send one as{' '}
        <code>Authorization: Bearer chk_…</code>.
      </p>
      {created && (
        <SecretOnce heading={`Token "${created.token.name}" created`} what="token secret" value={created.secret} testId="token-secret" />
      )}
      {notice && (
        <FocusAlert type="success" focusKey={notice}>
          {notice}
        </FocusAlert>
      )}
      {creating && (
        <NewTokenForm
          onCancel={() => setCreating(false)}
          onCreated={(token, secret) => {
            setCreating(false);
            setCreated({ token, secret });
            setTokens((cur) => [token, ...(cur ?? []).filter((t) => t.id !== token.id)]);
          }}
        />
      )}
      <ErrorAlert error={error} heading="Tokens could not be loaded or changed" />
      <ScrollTable caption="Your API tokens">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Scopes</th>
            <th scope="col">Created</th>
            <th scope="col">Expires</th>
            <th scope="col">Last used</th>
            <th scope="col">Revoked</th>
            <th scope="col">
              <span className="usa-sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {(tokens ?? []).map((t) => (
            <tr key={t.id}>
              <th scope="row">
                {t.name}
                {t.prefix && <span className="display-block font-mono-3xs text-base">{t.prefix}…</span>}
              </th>
              <td>{t.scopes.join(', ')}</td>
              <td>
                <TimeCell value={t.createdAt} withTime={false} />
              </td>
              <td>
                <TimeCell value={t.expiresAt} empty="Never" />
              </td>
              <td>
                <TimeCell value={t.lastUsedAt} empty="Never" />
              </td>
              <td>{t.revokedAt ? <TimeCell value={t.revokedAt} /> : tokenState(t) === 'Expired' ? 'Expired' : 'No'}</td>
              <td>
                {!t.revokedAt && (
                  <Button type="button" unstyled className="text-secondary-dark" onClick={() => setRevoking(t)} aria-label={`Revoke ${t.name}`}>
                    Revoke
                  </Button>
                )}
              </td>
            </tr>
          ))}
          {tokens && tokens.length === 0 && (
            <tr>
              <td colSpan={7}>You have no API tokens. Create one with New token, above, for scripts that upload SBOMs or query advisories.</td>
            </tr>
          )}
        </tbody>
      </ScrollTable>
      {!tokens && !error && <p role="status">Loading tokens…</p>}
      <ConfirmDialog
        open={revoking !== null}
        heading="Revoke this token?"
        confirmLabel="Revoke token"
        onCancel={() => setRevoking(null)}
        onConfirm={() => revoking && void revoke(revoking)}
      >
        <p>
          Anything using "{revoking?.name}" will stop working at once. A revoked token cannot be restored; you would need
          to create a new one.
        </p>
      </ConfirmDialog>
    </>
  );
}
