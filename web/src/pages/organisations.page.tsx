import { useCallback, useState, type FormEvent, type ChangeEvent } from 'react';
import { usePagedList } from '../hooks/use-paged-list.ts';
import { Button, Form, Select } from '@trussworks/react-uswds';
import {
  api,
  ORGANISATION_KINDS,
  SECTORS,
  type Organisation,
  type OrganisationKind,
  type Sector,
  type Tlp,
} from '../api.ts';
import { CreateActions, EmptyState, ErrorAlert, Field, FocusAlert, focusFirstInvalid, LoadMore, PageHeading, Panel, problemFieldErrors, ScrollTable, TextField } from '../components/common.component.tsx';
import { humanize, kindLabel, TlpTag } from '../components/labels.component.tsx';
import { TlpField } from '../components/label-fields.component.tsx';
import { SectorFields } from '../components/sector-fields.component.tsx';
import { AppLink } from '../router.tsx';
import { useSession } from '../session.context.tsx';

const PAGE_SIZE = 50;

function NewOrganisationForm({ onCreated, onCancel }: { onCreated: (org: Organisation) => void; onCancel: () => void }) {
  const [name, setName] = useState('');
  const [kind, setKind] = useState<OrganisationKind | ''>('');
  const [sectors, setSectors] = useState<Sector[]>([]);
  const [tlp, setTlp] = useState<Tlp>('GREEN');
  const [error, setError] = useState<unknown>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const operator = kind === 'infrastructure-operator';


  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const found: Record<string, string> = {};
    if (name.trim().length < 2) found.name = 'Enter the organisation\'s name (at least 2 characters).';
    if (!kind) found.kind = 'Choose what kind of organisation this is.';
    if (operator && sectors.length === 0) found.sectors = 'Choose at least one critical-infrastructure sector for an infrastructure operator.';
    setErrors(found);
    if (Object.keys(found).length > 0 || !kind) return focusFirstInvalid(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      const created = await api.createOrganisation({
        name: name.trim(),
        kind,
        ...(operator ? { sectors: SECTORS.filter((s) => sectors.includes(s)) } : {}),
        label: { tlp },
      });
      onCreated(created);
    } catch (err) {
      setErrors(problemFieldErrors(err));
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Panel id="new-org" heading="New organisation">
      <ErrorAlert error={error} heading="The organisation was not created" />
      <Form onSubmit={submit} large noValidate>
        <TextField id="org-name" label="Name" error={errors.name} name="name" type="text" maxLength={200} value={name} onChange={setName} />
        <Field id="org-kind" label="Kind" error={errors.kind}>
          {(control, invalid) => (
            <Select {...control} validationStatus={invalid ? 'error' : undefined} name="kind" value={kind} onChange={(e: ChangeEvent<HTMLSelectElement>) => setKind(e.target.value as OrganisationKind)}>
              <option value="">- Select -</option>
              {ORGANISATION_KINDS.map((k) => (
                <option key={k} value={k}>
                  {kindLabel(k)}
                </option>
              ))}
            </Select>
          )}
        </Field>
        {operator && (
          <SectorFields
            idPrefix="org"
            checkboxIdPrefix="sector"
            hint="The CISA critical-infrastructure sectors this operator serves. Choose at least one."
            error={errors.sectors}
            value={sectors}
            onChange={setSectors}
          />
        )}
        <TlpField id="org-tlp" hint="Who may learn that this organisation takes part (Traffic Light Protocol 2.0)." value={tlp} onChange={setTlp} />
        <CreateActions busy={busy} what="organisation" onCancel={onCancel} />
      </Form>
    </Panel>
  );
}

export function OrganisationsPage() {
  const session = useSession();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<Organisation | null>(null);
  const fetchPage = useCallback((from: string | null) => api.listOrganisations({ limit: PAGE_SIZE, cursor: from }), []);
  const { items, setItems, cursor, loading, error, loadMore } = usePagedList(fetchPage);

  return (
    <>
      <div className="ch-title-row">
        <PageHeading>Organisations</PageHeading>
        {session.user.siteAdmin && !creating && (
          <Button
            type="button"
            onClick={() => {
              setCreated(null);
              setCreating(true);
            }}
          >
            New organisation
          </Button>
        )}
      </div>
      {created && (
        <FocusAlert type="success" heading="Organisation created" focusKey={created.id}>
          <AppLink href={`/organisations/${encodeURIComponent(created.id)}`}>{created.name}</AppLink> has been created.
        </FocusAlert>
      )}
      {creating && (
        <NewOrganisationForm
          onCancel={() => setCreating(false)}
          onCreated={(org) => {
            setCreating(false);
            setCreated(org);
            setItems((current) => [org, ...current.filter((o) => o.id !== org.id)]);
          }}
        />
      )}
      <ErrorAlert error={error} heading="Organisations could not be loaded" />
      <ScrollTable caption="Organisations you can see">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Kind</th>
            <th scope="col">Sectors</th>
            <th scope="col">TLP label</th>
          </tr>
        </thead>
        <tbody>
          {items.map((org) => (
            <tr key={org.id}>
              <th scope="row">
                <AppLink href={`/organisations/${encodeURIComponent(org.id)}`}>{org.name}</AppLink>
              </th>
              <td>{kindLabel(org.kind)}</td>
              <td>{org.sectors.length > 0 ? org.sectors.map(humanize).join(', ') : '—'}</td>
              <td>
                <TlpTag tlp={org.label.tlp} />
              </td>
            </tr>
          ))}
        </tbody>
      </ScrollTable>
      {!loading && items.length === 0 && !error && (
        <EmptyState>
          <p>
            <strong>No organisations you can see yet.</strong>{' '}
            {session.user.siteAdmin
              ? 'Create the organisations taking part with New organisation, above.'
              : 'Organisations appear here once they share themselves with you or you are added to one.'}
          </p>
        </EmptyState>
      )}
      {loading && items.length === 0 && <p role="status">Loading organisations…</p>}
      <LoadMore cursor={cursor} loading={loading} onLoad={loadMore} />
    </>
  );
}
