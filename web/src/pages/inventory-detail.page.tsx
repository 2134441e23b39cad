import { useCallback, useEffect, useRef, useState, type ChangeEvent, type FormEvent } from 'react';
import { Alert, Button, FileInput, Form, type FileInputRef } from '@trussworks/react-uswds';
import { usePagedList } from '../hooks/use-paged-list.ts';
import { useOrganisationNames } from '../hooks/use-organisation-names.ts';
import { api, ApiError, sbomContentType, type InventoryView } from '../api.ts';
import { ConfirmDialog, EmptyState, ErrorAlert, Field, FocusAlert, focusFirstInvalid, formatDateTime, LoadMore, PageHeading, ScrollTable, TimeCell, Breadcrumbs } from '../components/common.component.tsx';
import { draftFromLabel, LabelFields, labelFromDraft, type LabelDraft } from '../components/label-fields.component.tsx';
import { TlpTag } from '../components/labels.component.tsx';
import { AppLink, navigate } from '../router.tsx';
import { useSession } from '../session.context.tsx';
import { MAX_SBOM_BYTES } from './inventories.page.tsx';

const COMPONENT_PAGE = 100;

function staleMessage(error: unknown): unknown {
  // 412: someone changed the inventory after this page read it; say so plainly instead of "precondition failed".
  if (error instanceof ApiError && (error.status === 412 || error.code === 'stale-write'))
    return new Error('The inventory was changed by someone else since you opened it. Reload the page to see the new version, then try again.');
  return error;
}

function EditLabelForm({ inventory, onSaved, onCancel }: { inventory: InventoryView; onSaved: (inv: InventoryView) => void; onCancel: () => void }) {
  const [name, setName] = useState(inventory.name);
  const [label, setLabel] = useState<LabelDraft>(() => draftFromLabel(inventory.label));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const found: Record<string, string> = {};
    if (!name.trim()) found.name = 'Enter a name for the inventory.';
    const result = labelFromDraft(label);
    if ('errors' in result) Object.assign(found, result.errors);
    setErrors(found);
    if (Object.keys(found).length > 0 || 'errors' in result) return focusFirstInvalid(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      onSaved(await api.updateInventory(inventory.id, inventory.version, { name: name.trim(), label: result.label }));
    } catch (err) {
      setError(staleMessage(err));
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="edit-inventory-heading" className="ch-panel">
      <h2 id="edit-inventory-heading" className="margin-top-0">
        Edit name and label
      </h2>
      <ErrorAlert error={error} heading="The inventory was not changed" />
      <Form onSubmit={submit} large noValidate>
        <Field id="inventory-name" label="Name" error={errors.name}>
          {(control) => (
            <input {...control} className={`usa-input${errors.name ? ' usa-input--error' : ''}`} name="name" type="text" maxLength={200} value={name} onChange={(e: ChangeEvent<HTMLInputElement>) => setName(e.target.value)} />
          )}
        </Field>
        <LabelFields idPrefix="inventory" value={label} onChange={setLabel} errors={errors} />
        <div className="margin-top-3">
          <Button type="submit" disabled={busy}>
            {busy ? 'Saving…' : 'Save'}
          </Button>
          <Button type="button" unstyled className="margin-left-2" onClick={onCancel}>
            Cancel
          </Button>
        </div>
      </Form>
    </section>
  );
}

function ReplaceForm({ inventory, onSaved, onCancel }: { inventory: InventoryView; onSaved: (inv: InventoryView) => void; onCancel: () => void }) {
  const fileRef = useRef<FileInputRef>(null);
  const [file, setFile] = useState<File | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const problem = !file
      ? 'Choose the SBOM file that replaces the current contents.'
      : file.size > MAX_SBOM_BYTES
        ? `${file.name} is larger than 50 MiB, the most the server accepts.`
        : null;
    setFileError(problem);
    if (problem || !file) return focusFirstInvalid(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      onSaved(await api.replaceSbom(inventory.id, inventory.version, { data: file, contentType: sbomContentType(file) }));
    } catch (err) {
      setError(staleMessage(err));
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="replace-heading" className="ch-panel">
      <h2 id="replace-heading" className="margin-top-0">
        Replace the SBOM
      </h2>
      <p className="usa-hint">The new file replaces every component of this inventory; its name and label stay.</p>
      <ErrorAlert error={error} heading="The SBOM was not replaced" />
      <Form onSubmit={submit} large noValidate>
        <Field id="replace-file" label="New SBOM file" error={fileError}>
          {(control) => (
            <FileInput
              ref={fileRef}
              id={control.id}
              name="file"
              accept=".json,.xml,application/json,application/xml,text/xml"
              aria-describedby={control['aria-describedby']}
              aria-invalid={control['aria-invalid']}
              onChange={(e: ChangeEvent<HTMLInputElement>) => setFile(e.target.files?.[0] ?? null)}
            />
          )}
        </Field>
        <div className="margin-top-3">
          <Button type="submit" disabled={busy}>
            {busy ? 'Replacing…' : 'Replace SBOM'}
          </Button>
          <Button type="button" unstyled className="margin-left-2" onClick={onCancel}>
            Cancel
          </Button>
        </div>
      </Form>
    </section>
  );
}

function Unmatched({ inventory }: { inventory: InventoryView }) {
  if (inventory.unmatchedCount === 0)
    return <p>Every component in the SBOM has a package identity (a purl in a known ecosystem), so all of them are checked.</p>;
  const more = inventory.unmatchedCount - inventory.unmatched.length;
  return (
    <>
      {/* Part of the page, not the outcome of an action: it must not take focus from the heading. */}
      <div className="ch-focus-alert" data-testid="unmatched-warning">
        <Alert type="warning" headingLevel="h3" heading={`${inventory.unmatchedCount} ${inventory.unmatchedCount === 1 ? 'component' : 'components'} could not be checked`}>
          Advisories are never matched against these, so they may be affected without anyone knowing. Most lack a
          package URL (purl) or use an ecosystem advisories do not cover; fix them in the SBOM and replace it.
        </Alert>
      </div>
      <ScrollTable caption="Components that could not be checked, and why" testId="unmatched-table">
        <thead>
          <tr>
            <th scope="col">Component</th>
            <th scope="col">Why it could not be checked</th>
          </tr>
        </thead>
        <tbody>
          {inventory.unmatched.map((u, i) => (
            <tr key={`${u.ref}-${i}`}>
              <th scope="row" className="ch-purl">
                {u.ref}
              </th>
              <td>{u.reason}</td>
            </tr>
          ))}
        </tbody>
      </ScrollTable>
      {more > 0 && (
        <p data-testid="unmatched-more">
          The server keeps the first {inventory.unmatched.length} reasons; {more} more components could not be checked
          either.
        </p>
      )}
    </>
  );
}

/** The schema check's outcome, said plainly: checked and clean, checked with findings, or not checked and why. */
function SchemaFindings({ inventory }: { inventory: InventoryView }) {
  const { schema, schemaWarnings, schemaWarningCount } = inventory;
  if (!schema.checked)
    return (
      <div className="ch-focus-alert" data-testid="schema-unchecked">
        <Alert type="info" headingLevel="h3" heading="The SBOM was not checked against a schema">
          {schema.reason}
        </Alert>
      </div>
    );
  if (schemaWarningCount === 0)
    return <p data-testid="schema-clean">The SBOM follows the {schema.name} schema.</p>;
  const more = schemaWarningCount - schemaWarnings.length;
  return (
    <>
      <div className="ch-focus-alert" data-testid="schema-warning">
        <Alert type="warning" headingLevel="h3" heading={`The SBOM does not follow its schema: ${schemaWarningCount} ${schemaWarningCount === 1 ? 'finding' : 'findings'}`}>
          Checked against the {schema.name} schema{schema.firstFindingOnly ? ' (a large SBOM: checked up to its first finding only)' : ''}. The
          inventory was kept: the components listed below were still read and matched. Tools that read the SBOM
          strictly may refuse it; fix it at its source and replace it.
        </Alert>
      </div>
      <ScrollTable caption="Where the SBOM does not follow its schema" testId="schema-table">
        <thead>
          <tr>
            <th scope="col">Where (JSON Pointer)</th>
            <th scope="col">Finding</th>
          </tr>
        </thead>
        <tbody>
          {schemaWarnings.map((w, i) => (
            <tr key={`${w.path}-${i}`}>
              <th scope="row" className="ch-purl">
                {w.path === '' ? '(the document)' : w.path}
              </th>
              <td>{w.message}</td>
            </tr>
          ))}
        </tbody>
      </ScrollTable>
      {more > 0 && <p data-testid="schema-more">The server keeps the first {schemaWarnings.length} findings; there are {more} more.</p>}
    </>
  );
}

function Components({ inventoryId, version }: { inventoryId: string; version: number }) {
  // Keyed on the version so a replaced SBOM's components load from the first page again.
  const fetchPage = useCallback(
    (from: string | null) => {
      void version;
      return api.listComponents(inventoryId, { limit: COMPONENT_PAGE, cursor: from });
    },
    [inventoryId, version],
  );
  const { items, cursor, loading, error, loadMore } = usePagedList(fetchPage);
  return (
    <>
      <ErrorAlert error={error} heading="Components could not be loaded" />
      {!loading && items.length === 0 && !error ? (
        <EmptyState>
          <p>No components with a package identity are stored. Replace the SBOM with one whose components carry purls.</p>
        </EmptyState>
      ) : (
        <ScrollTable caption="Components" testId="components-table">
          <thead>
            <tr>
              <th scope="col">Package</th>
              <th scope="col">Version</th>
              <th scope="col">Ecosystem</th>
              <th scope="col">Release</th>
              <th scope="col">Package URL</th>
            </tr>
          </thead>
          <tbody>
            {items.map((c) => (
              <tr key={c.id}>
                <th scope="row">
                  {c.name}
                  {c.sourceName && c.sourceName !== c.name ? <span className="text-base"> (source {c.sourceName})</span> : null}
                </th>
                <td className="ch-nowrap">{c.version}</td>
                <td>{c.ecosystem}</td>
                <td>{c.release ?? '—'}</td>
                <td className="ch-purl">{c.purl}</td>
              </tr>
            ))}
          </tbody>
        </ScrollTable>
      )}
      {loading && items.length === 0 && <p role="status">Loading components…</p>}
      <LoadMore cursor={cursor} loading={loading} onLoad={loadMore} />
    </>
  );
}

export function InventoryDetailPage({ inventoryId }: { inventoryId: string }) {
  const session = useSession();
  const [inventory, setInventory] = useState<InventoryView | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [mode, setMode] = useState<'view' | 'edit' | 'replace'>('view');
  const [notice, setNotice] = useState<string | null>(null);
  const [deleting, setDeleting] = useState(false);
  const [actionError, setActionError] = useState<unknown>(null);
  const orgName = useOrganisationNames(inventory ? [inventory.organisationId] : []);

  useEffect(() => {
    api.getInventory(inventoryId).then(setInventory, setError);
  }, [inventoryId]);

  if (error) {
    const missing = error instanceof ApiError && error.status === 404;
    return (
      <>
        <PageHeading>{missing ? 'Inventory not found' : 'Inventory'}</PageHeading>
        {missing ? <p>There is no inventory at this address, or you may not see it.</p> : <ErrorAlert error={error} />}
        <AppLink href="/inventories">Back to inventories</AppLink>
      </>
    );
  }
  if (!inventory) return <p role="status">Loading inventory…</p>;

  // Writes are for the owner's members; the server decides, this only hides buttons that would be refused.
  const canWrite = session.memberships.some((m) => m.organisationId === inventory.organisationId);
  const saved = (message: string) => (inv: InventoryView) => {
    setInventory(inv);
    setMode('view');
    setNotice(message);
  };

  const remove = async () => {
    setDeleting(false);
    setActionError(null);
    try {
      await api.deleteInventory(inventory.id, inventory.version);
      navigate('/inventories');
    } catch (err) {
      setActionError(staleMessage(err));
    }
  };

  const { label } = inventory;
  return (
    <>
      <Breadcrumbs parent={{ href: '/inventories', label: 'Inventories' }} current={inventory.name} />
      <PageHeading>{inventory.name}</PageHeading>
      {notice && (
        <FocusAlert type="success" focusKey={notice + inventory.version}>
          {notice}
        </FocusAlert>
      )}
      <ErrorAlert error={actionError} heading="The inventory was not deleted" />
      <dl className="ch-facts">
        <dt>Organisation</dt>
        <dd>
          <AppLink href={`/organisations/${encodeURIComponent(inventory.organisationId)}`}>{orgName(inventory.organisationId) ?? inventory.organisationId}</AppLink>
        </dd>
        <dt>Format</dt>
        <dd>{inventory.format}</dd>
        <dt>Components checked</dt>
        <dd data-testid="component-count">{inventory.componentCount}</dd>
        <dt>Not checked</dt>
        <dd data-testid="unmatched-count">{inventory.unmatchedCount}</dd>
        <dt>TLP label</dt>
        <dd>
          <TlpTag tlp={label.tlp} />
        </dd>
        <dt>Embargo until</dt>
        <dd>{label.embargoUntil ? formatDateTime(label.embargoUntil) : 'No embargo'}</dd>
        <dt>Need-to-know role</dt>
        <dd>{label.restricted ?? 'None'}</dd>
        <dt>SBOM SHA-256</dt>
        <dd className="ch-break">
          <code>{inventory.sbomSha256}</code>
        </dd>
        <dt>Uploaded</dt>
        <dd>
          <TimeCell value={inventory.createdAt} />
        </dd>
        <dt>Last changed</dt>
        <dd>
          <TimeCell value={inventory.updatedAt} /> (version {inventory.version})
        </dd>
      </dl>
      {canWrite && mode === 'view' && (
        <div className="margin-bottom-3">
          <Button type="button" outline onClick={() => setMode('edit')}>
            Edit name and label
          </Button>
          <Button type="button" outline onClick={() => setMode('replace')}>
            Replace SBOM
          </Button>
          <Button type="button" secondary onClick={() => setDeleting(true)}>
            Delete inventory
          </Button>
        </div>
      )}
      {mode === 'edit' && <EditLabelForm inventory={inventory} onSaved={saved('The name and label have been saved.')} onCancel={() => setMode('view')} />}
      {mode === 'replace' && <ReplaceForm inventory={inventory} onSaved={saved('The SBOM has been replaced.')} onCancel={() => setMode('view')} />}
      <h2>What could not be checked</h2>
      <Unmatched inventory={inventory} />
      <SchemaFindings inventory={inventory} />
      <h2>Components</h2>
      <Components inventoryId={inventory.id} version={inventory.version} />
      <ConfirmDialog
        open={deleting}
        heading="Delete this inventory?"
        confirmLabel="Delete inventory"
        onCancel={() => setDeleting(false)}
        onConfirm={() => void remove()}
      >
        <p>
          {inventory.name} and its {inventory.componentCount} components will be deleted. Advisories will no longer be
          matched against them. This cannot be undone.
        </p>
      </ConfirmDialog>
    </>
  );
}
