import { useCallback, useEffect, useState, type FormEvent, type ChangeEvent } from 'react';
import { usePagedList } from '../hooks/use-paged-list.ts';
import { Button, Checkbox, Form, Select } from '@trussworks/react-uswds';
import { api, type User } from '../api.ts';
import { ConfirmDialog, CreateActions, ErrorAlert, Field, FocusAlert, focusFirstInvalid, LoadMore, PageHeading, Panel, problemFieldErrors, ScrollTable, SecretOnce, TextField, TimeCell } from '../components/common.component.tsx';
import { RoleEditor, rolesFromDraft, type RoleDraft } from '../components/role-editor.component.tsx';
import { adminOrganisations, useSession } from '../session.context.tsx';

const PAGE_SIZE = 50;

function NewUserForm({
  onCreated,
  onInvited,
  onCancel,
}: {
  onCreated: (user: User, oneTimePassword: string) => void;
  onInvited?: (email: string) => void;
  onCancel: () => void;
}) {
  const session = useSession();
  const siteAdmin = session.user.siteAdmin;
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [makeSiteAdmin, setMakeSiteAdmin] = useState(false);
  // Org admins must place the new user in one of their own organisations; site admins may leave it empty.
  const [orgs, setOrgs] = useState<{ id: string; name: string }[]>(() =>
    adminOrganisations(session).map((m) => ({ id: m.organisationId, name: m.organisationName })),
  );
  const [orgId, setOrgId] = useState(() => (siteAdmin ? '' : (adminOrganisations(session)[0]?.organisationId ?? '')));
  const [draft, setDraft] = useState<RoleDraft>({ admin: false, member: true, restricted: '' });
  const [error, setError] = useState<unknown>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!siteAdmin) return;
    api.listOrganisations({ limit: 200 }).then(
      (page) => setOrgs(page.items.map((o) => ({ id: o.id, name: o.name }))),
      (err) => setError(err),
    );
  }, [siteAdmin]);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const found: Record<string, string> = {};
    // A light check only (something@something); the server has the final word on addresses.
    if (!/^[^\s@]+@[^\s@]+$/.test(email.trim())) found.email = 'Enter an email address such as name@example.org.';
    if (!name.trim()) found.name = 'Enter the person\'s name.';
    if (!siteAdmin && !orgId) found.organisationId = 'Choose one of your organisations for the new user.';
    setErrors(found);
    if (Object.keys(found).length > 0) return focusFirstInvalid(event.currentTarget);
    let memberships: { organisationId: string; roles: string[] }[] | undefined;
    if (orgId) {
      const result = rolesFromDraft(draft);
      if ('problem' in result) {
        setError(new Error(result.problem));
        return;
      }
      memberships = [{ organisationId: orgId, roles: result.roles }];
    }
    setBusy(true);
    setError(null);
    try {
      const created = await api.createUser({
        email: email.trim(),
        name: name.trim(),
        ...(siteAdmin ? { siteAdmin: makeSiteAdmin } : {}),
        ...(memberships ? { memberships } : {}),
      });
      // Organisation administrators invite by e-mail: the person joins when they accept (see Invitations).
      if ('invitations' in created) onInvited?.(created.email);
      else onCreated(created.user, created.oneTimePassword);
    } catch (err) {
      setErrors(problemFieldErrors(err));
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Panel id="new-user" heading="New user">
      <p className="usa-hint">
        The new user gets a one-time password, shown to you once. They must choose their own password when they first
        sign in.
      </p>
      <ErrorAlert error={error} heading="The user was not created" />
      <Form onSubmit={submit} large noValidate>
        <TextField id="user-email" label="Email address" error={errors.email} name="email" type="email" autoCapitalize="off" spellCheck={false} value={email} onChange={setEmail} />
        <TextField id="user-name" label="Name" error={errors.name} name="name" type="text" value={name} onChange={setName} />
        {siteAdmin && (
          <Checkbox
            id="user-site-admin"
            name="siteAdmin"
            className="margin-top-3"
            label="Site administrator"
            labelDescription="Can manage every organisation, user and token on this Clearinghouse."
            checked={makeSiteAdmin}
            onChange={(e: ChangeEvent<HTMLInputElement>) => setMakeSiteAdmin(e.target.checked)}
          />
        )}
        <Field id="user-org" label={`Organisation${siteAdmin ? ' (optional)' : ''}`} error={errors.organisationId}>
          {(control, invalid) => (
            <Select {...control} validationStatus={invalid ? 'error' : undefined} name="organisationId" value={orgId} onChange={(e: ChangeEvent<HTMLSelectElement>) => setOrgId(e.target.value)}>
              {siteAdmin && <option value="">- None -</option>}
              {orgs.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.name}
                </option>
              ))}
            </Select>
          )}
        </Field>
        {orgId && <RoleEditor idPrefix="new-user" value={draft} onChange={setDraft} legend="Roles in the organisation" />}
        <CreateActions busy={busy} what="user" onCancel={onCancel} />
      </Form>
    </Panel>
  );
}

function status(user: User): string {
  if (user.disabled) return 'Disabled';
  if (user.mustChangePassword) return 'Awaiting first sign-in';
  return 'Active';
}

type Pending = { kind: 'disable' | 'enable' | 'reset'; user: User };

export function UsersPage() {
  const session = useSession();
  const siteAdmin = session.user.siteAdmin;
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<{ user: User; oneTimePassword: string } | null>(null);
  const [invited, setInvited] = useState<string | null>(null);
  const [reset, setReset] = useState<{ user: User; oneTimePassword: string } | null>(null);
  const [pending, setPending] = useState<Pending | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const fetchPage = useCallback((from: string | null) => api.listUsers({ limit: PAGE_SIZE, cursor: from }), []);
  const { items, setItems, cursor, loading, error, loadMore } = usePagedList(fetchPage);

  const replace = (user: User) => setItems((current) => current.map((u) => (u.id === user.id ? user : u)));

  const act = async ({ kind, user }: Pending) => {
    setPending(null);
    setActionError(null);
    setNotice(null);
    // A one-time password on screen is for one user only: any other action hides it for good.
    setReset(null);
    setCreated(null);
    try {
      if (kind === 'reset') {
        const { oneTimePassword } = await api.resetPassword(user.id);
        setReset({ user, oneTimePassword });
        replace({ ...user, mustChangePassword: true });
      } else {
        const updated = await api.updateUser(user.id, user.version, { disabled: kind === 'disable' });
        replace(updated);
        setNotice(kind === 'disable' ? `${user.email} is disabled and signed out everywhere.` : `${user.email} can sign in again.`);
      }
    } catch (err) {
      setActionError(err);
    }
  };

  return (
    <>
      <div className="ch-title-row">
        <PageHeading>Users</PageHeading>
        {!creating && (
          <Button
            type="button"
            onClick={() => {
              // The previous one-time password disappears for good once another user is started.
              setCreated(null);
              setCreating(true);
            }}
          >
            New user
          </Button>
        )}
      </div>
      {invited && (
        <FocusAlert type="info" focusKey={invited}>
          {invited} has been invited. They join once they accept the invitation (signed in, under Invitations).
        </FocusAlert>
      )}
      {created && (
        <SecretOnce
          heading={`User ${created.user.email} created`}
          what="one-time password"
          value={created.oneTimePassword}
          testId="one-time-password"
        />
      )}
      {reset && (
        <SecretOnce
          heading={`New one-time password for ${reset.user.email}`}
          what="one-time password"
          value={reset.oneTimePassword}
          testId="reset-one-time-password"
        />
      )}
      {notice && (
        <FocusAlert type="success" focusKey={notice}>
          {notice}
        </FocusAlert>
      )}
      <ErrorAlert error={actionError} heading="The user was not changed" />
      {creating && (
        <NewUserForm
          onCancel={() => setCreating(false)}
          onInvited={(email) => {
            setCreating(false);
            setInvited(email);
          }}
          onCreated={(user, oneTimePassword) => {
            setCreating(false);
            setReset(null);
            setCreated({ user, oneTimePassword });
            setItems((current) => [user, ...current.filter((u) => u.id !== user.id)]);
          }}
        />
      )}
      <ErrorAlert error={error} heading="Users could not be loaded" />
      <ScrollTable caption="Users you can manage">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Email</th>
            <th scope="col">Site administrator</th>
            <th scope="col">Status</th>
            <th scope="col">Created</th>
            {siteAdmin && <th scope="col">Actions</th>}
          </tr>
        </thead>
        <tbody>
          {items.map((u) => (
            <tr key={u.id}>
              <th scope="row">{u.name || '—'}</th>
              <td>{u.email}</td>
              <td>{u.siteAdmin ? 'Yes' : 'No'}</td>
              <td>{status(u)}</td>
              <td>
                <TimeCell value={u.createdAt} withTime={false} />
              </td>
              {siteAdmin && (
                <td className="ch-actions">
                  {u.id !== session.user.id && (
                    <>
                      <Button
                        type="button"
                        unstyled
                        className={u.disabled ? undefined : 'text-secondary-dark'}
                        onClick={() => setPending({ kind: u.disabled ? 'enable' : 'disable', user: u })}
                        aria-label={`${u.disabled ? 'Enable' : 'Disable'} ${u.email}`}
                      >
                        {u.disabled ? 'Enable' : 'Disable'}
                      </Button>
                      <Button type="button" unstyled onClick={() => setPending({ kind: 'reset', user: u })} aria-label={`Reset the password of ${u.email}`}>
                        Reset password
                      </Button>
                    </>
                  )}
                </td>
              )}
            </tr>
          ))}
          {!loading && items.length === 0 && !error && (
            <tr>
              <td colSpan={siteAdmin ? 6 : 5}>No users yet. Create one with New user, above.</td>
            </tr>
          )}
        </tbody>
      </ScrollTable>
      {loading && items.length === 0 && <p role="status">Loading users…</p>}
      <LoadMore cursor={cursor} loading={loading} onLoad={loadMore} />
      <ConfirmDialog
        open={pending !== null}
        heading={pending?.kind === 'reset' ? 'Reset this password?' : pending?.kind === 'disable' ? 'Disable this user?' : 'Enable this user?'}
        confirmLabel={pending?.kind === 'reset' ? 'Reset password' : pending?.kind === 'disable' ? 'Disable user' : 'Enable user'}
        onCancel={() => setPending(null)}
        onConfirm={() => pending && void act(pending)}
      >
        <p>
          {pending?.kind === 'reset'
            ? `${pending.user.email} gets a new one-time password, shown to you once, and is signed out everywhere. Their current password stops working.`
            : pending?.kind === 'disable'
              ? `${pending?.user.email} will be signed out everywhere and cannot sign in or use API tokens until enabled again.`
              : `${pending?.user.email} will be able to sign in again.`}
        </p>
      </ConfirmDialog>
    </>
  );
}
