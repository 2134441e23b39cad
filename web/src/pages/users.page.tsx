import { useCallback, useEffect, useState, type FormEvent, type ChangeEvent } from 'react';
import { usePagedList } from '../hooks/use-paged-list.ts';
import { Button, Checkbox, Form, Label, Select, Table, TextInput } from '@trussworks/react-uswds';
import { api, type User } from '../api.ts';
import { CreateActions, ErrorAlert, FocusAlert, LoadMore, PageHeading, SecretOnce, TimeCell } from '../components/common.component.tsx';
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
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="new-user-heading" className="ch-panel">
      <h2 id="new-user-heading" className="margin-top-0">
        New user
      </h2>
      <p className="usa-hint">
        The new user gets a one-time password, shown to you once. They must choose their own password when they first
        sign in.
      </p>
      <ErrorAlert error={error} heading="The user was not created" />
      <Form onSubmit={submit} large>
        <Label htmlFor="user-email">Email address</Label>
        <TextInput
          id="user-email"
          name="email"
          type="email"
          required
          autoCapitalize="off"
          spellCheck={false}
          value={email}
          onChange={(e: ChangeEvent<HTMLInputElement>) => setEmail(e.target.value)}
        />
        <Label htmlFor="user-name">Name</Label>
        <TextInput id="user-name" name="name" type="text" required value={name} onChange={(e: ChangeEvent<HTMLInputElement>) => setName(e.target.value)} />
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
        <Label htmlFor="user-org">Organisation{siteAdmin ? ' (optional)' : ''}</Label>
        <Select id="user-org" name="organisationId" required={!siteAdmin} value={orgId} onChange={(e: ChangeEvent<HTMLSelectElement>) => setOrgId(e.target.value)}>
          {siteAdmin && <option value="">- None -</option>}
          {orgs.map((o) => (
            <option key={o.id} value={o.id}>
              {o.name}
            </option>
          ))}
        </Select>
        {orgId && <RoleEditor idPrefix="new-user" value={draft} onChange={setDraft} legend="Roles in the organisation" />}
        <CreateActions busy={busy} what="user" onCancel={onCancel} />
      </Form>
    </section>
  );
}

function status(user: User): string {
  if (user.disabled) return 'Disabled';
  if (user.mustChangePassword) return 'Awaiting first sign-in';
  return 'Active';
}

export function UsersPage() {
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<{ user: User; oneTimePassword: string } | null>(null);
  const [invited, setInvited] = useState<string | null>(null);
  const fetchPage = useCallback((from: string | null) => api.listUsers({ limit: PAGE_SIZE, cursor: from }), []);
  const { items, setItems, cursor, loading, error, loadMore } = usePagedList(fetchPage);

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
      {creating && (
        <NewUserForm
          onCancel={() => setCreating(false)}
          onInvited={(email) => {
            setCreating(false);
            setInvited(email);
          }}
          onCreated={(user, oneTimePassword) => {
            setCreating(false);
            setCreated({ user, oneTimePassword });
            setItems((current) => [user, ...current.filter((u) => u.id !== user.id)]);
          }}
        />
      )}
      <ErrorAlert error={error} heading="Users could not be loaded" />
      <Table fullWidth striped scrollable caption="Users you can manage">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Email</th>
            <th scope="col">Site administrator</th>
            <th scope="col">Status</th>
            <th scope="col">Created</th>
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
            </tr>
          ))}
          {!loading && items.length === 0 && !error && (
            <tr>
              <td colSpan={5}>No users yet.</td>
            </tr>
          )}
        </tbody>
      </Table>
      {loading && items.length === 0 && <p role="status">Loading users…</p>}
      <LoadMore cursor={cursor} loading={loading} onLoad={loadMore} />
    </>
  );
}
