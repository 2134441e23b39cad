import { useCallback, useEffect, useState } from 'react';
import { Button, Table } from '@trussworks/react-uswds';
import { api, type MyInvitation } from '../api.ts';
import { ErrorAlert, FocusAlert, PageHeading, TimeCell } from '../components/common.component.tsx';
import { useSessionContext } from '../session.context.tsx';

/** Invitations waiting for the signed-in user: joining an organisation is their decision. */
export function InvitationsPage() {
  const { refresh } = useSessionContext();
  const [items, setItems] = useState<MyInvitation[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setItems(await api.myInvitations());
      setError(null);
    } catch (err) {
      setError(err);
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  const answer = async (inv: MyInvitation, accept: boolean) => {
    setBusy(inv.id);
    setError(null);
    try {
      if (accept) await api.acceptInvitation(inv.id);
      else await api.declineInvitation(inv.id);
      setNotice(accept ? `You are now a member of ${inv.organisationName}.` : `You declined the invitation to ${inv.organisationName}.`);
      await load();
      // The new membership changes what the navigation and pages offer.
      if (accept) await refresh();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };

  return (
    <>
      <PageHeading>Invitations</PageHeading>
      <p className="usa-intro">Organisations that invited you to join them. You join only if you accept.</p>
      {notice && (
        <FocusAlert type="success" focusKey={notice}>
          {notice}
        </FocusAlert>
      )}
      <ErrorAlert error={error} heading="The invitation could not be answered" />
      {items === null && !error && <p role="status">Loading invitations…</p>}
      {items && items.length === 0 && <p>No invitations are waiting for you.</p>}
      {items && items.length > 0 && (
        <Table fullWidth striped caption="Invitations waiting for you">
          <thead>
            <tr>
              <th scope="col">Organisation</th>
              <th scope="col">Roles</th>
              <th scope="col">Expires</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {items.map((inv) => (
              <tr key={inv.id}>
                <th scope="row">{inv.organisationName}</th>
                <td>{inv.roles.join(', ')}</td>
                <td>
                  <TimeCell value={inv.expiresAt} />
                </td>
                <td className="ch-actions">
                  <Button type="button" disabled={busy === inv.id} onClick={() => void answer(inv, true)} aria-label={`Accept the invitation to ${inv.organisationName}`}>
                    Accept
                  </Button>
                  <Button type="button" outline disabled={busy === inv.id} onClick={() => void answer(inv, false)} aria-label={`Decline the invitation to ${inv.organisationName}`}>
                    Decline
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </>
  );
}
