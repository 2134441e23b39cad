import { useCallback, useEffect, useState, type FormEvent, type ChangeEvent } from 'react';
import { Button, Form, Select } from '@trussworks/react-uswds';
import { api, ApiError, SECTORS, type Member, type Organisation, type OrganisationInvitation, type Sector, type Tlp, type User } from '../api.ts';
import { ConfirmDialog, ErrorAlert, Field, FocusAlert, focusFirstInvalid, FormActions, PageHeading, Panel, problemFieldErrors, ScrollTable, TextField, TimeCell, Breadcrumbs } from '../components/common.component.tsx';
import { humanize, kindLabel, TlpTag } from '../components/labels.component.tsx';
import { TlpField } from '../components/label-fields.component.tsx';
import { SectorFields } from '../components/sector-fields.component.tsx';
import { draftFromRoles, RoleEditor, rolesFromDraft, type RoleDraft } from '../components/role-editor.component.tsx';
import { rememberOrganisationName } from '../hooks/use-organisation-names.ts';
import { AppLink } from '../router.tsx';
import { useSession } from '../session.context.tsx';

function RoleTags({ roles }: { roles: string[] }) {
  return (
    <ul className="ch-inline-list">
      {roles.map((r) => (
        <li key={r}>
          <span className={`usa-tag ${r === 'admin' ? '' : 'bg-base-dark'}`}>{r}</span>
        </li>
      ))}
    </ul>
  );
}

function AddMemberForm({ orgId, members, onSaved }: { orgId: string; members: Member[]; onSaved: (message: string) => void }) {
  const [users, setUsers] = useState<User[]>([]);
  const [userId, setUserId] = useState('');
  const [draft, setDraft] = useState<RoleDraft>({ admin: false, member: true, restricted: '' });
  const [error, setError] = useState<unknown>(null);
  const [userError, setUserError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    // The people this administrator can see; the API caps a page at 200, enough to pick from.
    api.listUsers({ limit: 200 }).then(
      (page) => setUsers(page.items),
      (err) => setError(err),
    );
  }, []);

  const candidates = users.filter((u) => !members.some((m) => m.userId === u.id));

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const result = rolesFromDraft(draft);
    if ('problem' in result) {
      setError(new Error(result.problem));
      return;
    }
    if (!userId) {
      setUserError('Choose the user to add.');
      return focusFirstInvalid(event.currentTarget);
    }
    setUserError(null);
    setBusy(true);
    setError(null);
    try {
      await api.setMember(orgId, userId, result.roles);
      const user = users.find((u) => u.id === userId);
      setUserId('');
      setDraft({ admin: false, member: true, restricted: '' });
      onSaved(`${user?.email ?? 'The user'} has been added with roles: ${result.roles.join(', ')}.`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Panel id="add-member" heading="Add a member">
      <ErrorAlert error={error} heading="The member was not added" />
      <Form onSubmit={submit} large noValidate>
        <Field id="add-member-user" label="User" error={userError}>
          {(control, invalid) => (
            <Select {...control} validationStatus={invalid ? 'error' : undefined} name="userId" value={userId} onChange={(e: ChangeEvent<HTMLSelectElement>) => setUserId(e.target.value)}>
              <option value="">- Select -</option>
              {candidates.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.name ? `${u.name} <${u.email}>` : u.email}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <RoleEditor idPrefix="add-member" value={draft} onChange={setDraft} />
        <Button type="submit" disabled={busy} className="margin-top-3">
          {busy ? 'Adding…' : 'Add member'}
        </Button>
      </Form>
    </Panel>
  );
}

function ChangeRolesForm({ orgId, member, onDone, onCancel }: { orgId: string; member: Member; onDone: (message: string) => void; onCancel: () => void }) {
  const [draft, setDraft] = useState<RoleDraft>(() => draftFromRoles(member.roles));
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const result = rolesFromDraft(draft);
    if ('problem' in result) {
      setError(new Error(result.problem));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api.setMember(orgId, member.userId, result.roles);
      onDone(`${member.email} now has roles: ${result.roles.join(', ')}.`);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <Panel id="change-roles" heading={<>Change roles of {member.email}</>}>
      <ErrorAlert error={error} heading="The roles were not changed" />
      <Form onSubmit={submit} large noValidate>
        <RoleEditor idPrefix="change-member" value={draft} onChange={setDraft} />
        <Button type="submit" disabled={busy} className="margin-top-3">
          Save roles
        </Button>
        <Button type="button" unstyled className="margin-left-2" onClick={onCancel}>
          Cancel
        </Button>
      </Form>
    </Panel>
  );
}

/**
 * Invitations this organisation sent that are still open. They name only what the administrator typed (a user id or
 * an e-mail address): nothing about whether that person has an account, so a declined one stays until it expires.
 */
function PendingInvitations({ orgId }: { orgId: string }) {
  const [items, setItems] = useState<OrganisationInvitation[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = useCallback(() => api.organisationInvitations(orgId).then(setItems, setError), [orgId]);
  useEffect(() => {
    void load();
  }, [load]);
  const withdraw = async (inv: OrganisationInvitation) => {
    try {
      await api.withdrawInvitation(orgId, inv.id);
      await load();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section aria-labelledby="invitations-heading">
      <h2 id="invitations-heading">Pending invitations</h2>
      <ErrorAlert error={error} heading="Invitations could not be loaded or changed" />
      {items && items.length === 0 && <p>No invitations are pending.</p>}
      {items && items.length > 0 && (
        <ScrollTable caption="Pending invitations">
          <thead>
            <tr>
              <th scope="col">Invited</th>
              <th scope="col">Roles</th>
              <th scope="col">Expires</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {items.map((inv) => (
              <tr key={inv.id}>
                <th scope="row">{inv.email ?? `user ${inv.userId}`}</th>
                <td>
                  <RoleTags roles={inv.roles} />
                </td>
                <td>
                  <TimeCell value={inv.expiresAt} />
                </td>
                <td className="ch-actions">
                  <Button type="button" unstyled className="text-secondary-dark" onClick={() => void withdraw(inv)}>
                    Withdraw
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </ScrollTable>
      )}
    </section>
  );
}

function EditOrganisationForm({ org, onSaved, onCancel }: { org: Organisation; onSaved: (org: Organisation) => void; onCancel: () => void }) {
  const session = useSession();
  // Names are unique across the clearinghouse, so only site administrators rename (a clash must not reveal a hidden one).
  const canRename = session.user.siteAdmin;
  const operator = org.kind === 'infrastructure-operator';
  const [name, setName] = useState(org.name);
  const [sectors, setSectors] = useState<Sector[]>(org.sectors as Sector[]);
  const [tlp, setTlp] = useState<Tlp>(org.label.tlp);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const found: Record<string, string> = {};
    if (canRename && name.trim().length < 2) found.name = 'Enter a name of at least 2 characters.';
    if (operator && sectors.length === 0) found.sectors = 'Choose at least one critical-infrastructure sector for an infrastructure operator.';
    setErrors(found);
    if (Object.keys(found).length > 0) return focusFirstInvalid(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      onSaved(
        await api.updateOrganisation(org.id, org.version, {
          ...(canRename && name.trim() !== org.name ? { name: name.trim() } : {}),
          ...(operator ? { sectors: SECTORS.filter((s) => sectors.includes(s)) } : {}),
          label: { tlp },
        }),
      );
    } catch (err) {
      setErrors(problemFieldErrors(err));
      setError(
        err instanceof ApiError && err.status === 412
          ? new Error('The organisation was changed by someone else since you opened it. Reload the page and try again.')
          : err,
      );
      setBusy(false);
    }
  };

  return (
    <Panel id="edit-org" heading="Edit organisation">
      <ErrorAlert error={error} heading="The organisation was not changed" />
      <Form onSubmit={submit} large noValidate>
        {canRename ? (
          <TextField id="edit-org-name" label="Name" error={errors.name} name="name" type="text" maxLength={200} value={name} onChange={setName} />
        ) : (
          <p className="usa-hint">Only site administrators can rename an organisation.</p>
        )}
        {operator && (
          <SectorFields idPrefix="edit-org" checkboxIdPrefix="edit-sector" error={errors.sectors} value={sectors} onChange={setSectors} />
        )}
        <TlpField id="edit-org-tlp" hint="Who may learn that this organisation takes part (Traffic Light Protocol 2.0)." error={errors.label} value={tlp} onChange={setTlp} />
        <FormActions busy={busy} label="Save organisation" busyLabel="Saving…" onCancel={onCancel} />
      </Form>
    </Panel>
  );
}

export function OrganisationDetailPage({ orgId }: { orgId: string }) {
  const session = useSession();
  const [org, setOrg] = useState<Organisation | null>(null);
  const [members, setMembers] = useState<Member[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [membersError, setMembersError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [editing, setEditing] = useState<Member | null>(null);
  const [removing, setRemoving] = useState<Member | null>(null);
  const [editingOrg, setEditingOrg] = useState(false);

  const canManage =
    session.user.siteAdmin || session.memberships.some((m) => m.organisationId === orgId && m.roles.includes('admin'));

  const loadMembers = useCallback(async () => {
    try {
      setMembers(await api.listMembers(orgId));
      setMembersError(null);
    } catch (err) {
      // Non-members may see an organisation but not its member list: say so instead of showing an error.
      setMembers(null);
      setMembersError(err);
    }
  }, [orgId]);

  useEffect(() => {
    api.getOrganisation(orgId).then(setOrg, setError);
    void loadMembers();
  }, [orgId, loadMembers]);

  const saved = (message: string) => {
    setEditing(null);
    setNotice(message);
    void loadMembers();
  };

  const remove = async (member: Member) => {
    setRemoving(null);
    try {
      await api.removeMember(orgId, member.userId);
      saved(`${member.email} has been removed from the organisation.`);
    } catch (err) {
      setMembersError(err);
    }
  };

  if (error) {
    const missing = error instanceof ApiError && error.status === 404;
    return (
      <>
        <PageHeading>{missing ? 'Organisation not found' : 'Organisation'}</PageHeading>
        {missing ? <p>There is no organisation at this address, or you may not see it.</p> : <ErrorAlert error={error} />}
        <AppLink href="/organisations">Back to organisations</AppLink>
      </>
    );
  }
  if (!org) return <p role="status">Loading organisation…</p>;

  const membersHidden = membersError instanceof ApiError && (membersError.status === 403 || membersError.status === 404);

  return (
    <>
      <Breadcrumbs parent={{ href: '/organisations', label: 'Organisations' }} current={org.name} />
      <PageHeading>{org.name}</PageHeading>
      <dl className="ch-facts">
        <dt>Kind</dt>
        <dd>{kindLabel(org.kind)}</dd>
        {org.sectors.length > 0 && (
          <>
            <dt>Sectors</dt>
            <dd>{org.sectors.map(humanize).join(', ')}</dd>
          </>
        )}
        <dt>TLP label</dt>
        <dd>
          <TlpTag tlp={org.label.tlp} />
        </dd>
        <dt>Created</dt>
        <dd>
          <TimeCell value={org.createdAt} />
        </dd>
      </dl>
      {canManage && !editingOrg && (
        <Button type="button" outline onClick={() => setEditingOrg(true)}>
          Edit organisation
        </Button>
      )}
      {editingOrg && (
        <EditOrganisationForm
          org={org}
          onCancel={() => setEditingOrg(false)}
          onSaved={(updated) => {
            rememberOrganisationName(updated.id, updated.name);
            setOrg(updated);
            setEditingOrg(false);
            setNotice(`${updated.name} has been saved.`);
          }}
        />
      )}
      {notice && (
        <FocusAlert type="success" focusKey={notice}>
          {notice}
        </FocusAlert>
      )}
      <h2>Members</h2>
      {membersHidden ? (
        <p>Only members of {org.name} and site administrators can see its members.</p>
      ) : (
        <>
          <ErrorAlert error={membersError} heading="Members could not be loaded or changed" />
          <ScrollTable caption={`Members of ${org.name}`}>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Roles</th>
                {canManage && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {(members ?? []).map((m) => (
                <tr key={m.userId}>
                  <th scope="row">{m.name || '—'}</th>
                  <td>{m.email}</td>
                  <td>
                    <RoleTags roles={m.roles} />
                  </td>
                  {canManage && (
                    <td className="ch-actions">
                      <Button type="button" unstyled onClick={() => setEditing(m)} aria-label={`Change roles of ${m.email}`}>
                        Change roles
                      </Button>
                      <Button type="button" unstyled className="text-secondary-dark" onClick={() => setRemoving(m)} aria-label={`Remove ${m.email}`}>
                        Remove
                      </Button>
                    </td>
                  )}
                </tr>
              ))}
              {members && members.length === 0 && (
                <tr>
                  <td colSpan={canManage ? 4 : 3}>No members yet.{canManage ? ' Add the first one below.' : ''}</td>
                </tr>
              )}
            </tbody>
          </ScrollTable>
          {canManage && editing && (
            <ChangeRolesForm key={editing.userId} orgId={orgId} member={editing} onDone={saved} onCancel={() => setEditing(null)} />
          )}
          {canManage && !editing && members && <AddMemberForm orgId={orgId} members={members} onSaved={saved} />}
        </>
      )}
      {canManage && <PendingInvitations orgId={orgId} />}
      <ConfirmDialog
        open={removing !== null}
        heading="Remove this member?"
        confirmLabel="Remove member"
        onCancel={() => setRemoving(null)}
        onConfirm={() => removing && void remove(removing)}
      >
        <p>
          {removing?.email} will lose access to {org.name}'s records at once. You can add them again later.
        </p>
      </ConfirmDialog>
    </>
  );
}
