import { useCallback, useRef, useState, type ChangeEvent, type FormEvent } from 'react';
import { Button, FileInput, Form, Select, type FileInputRef } from '@trussworks/react-uswds';
import { usePagedList } from '../hooks/use-paged-list.ts';
import { useOrganisationNames } from '../hooks/use-organisation-names.ts';
import { api, errorMessage, sbomContentType, type InventoryView } from '../api.ts';
import { EmptyState, ErrorAlert, Field, FocusAlert, focusFirstInvalid, FormActions, LoadMore, PageHeading, Panel, ScrollTable, TimeCell } from '../components/common.component.tsx';
import { LabelFields, labelFromDraft, type LabelDraft } from '../components/label-fields.component.tsx';
import { TlpTag } from '../components/labels.component.tsx';
import { AppLink } from '../router.tsx';
import { useSession } from '../session.context.tsx';

const PAGE_SIZE = 50;
/** The server's upload cap (SBOM_BODY_LIMIT): refusing a larger file here saves sending 50 MiB to be told no. */
export const MAX_SBOM_BYTES = 50 * 1024 * 1024;
/** How many files one upload form takes: each is its own request, sent one after another. */
export const MAX_FILES = 20;

export type UploadResult = { file: string; ok: true; inventory: InventoryView } | { file: string; ok: false; detail: string };

/** An inventory is named after its file unless the operator typed a name (then files 2.. get " (2)" ...). */
export function inventoryName(typed: string, fileName: string, index: number, count: number): string {
  const base = typed.trim();
  if (!base) return fileName.replace(/\.(cdx|spdx|bom)?\.?(json|xml)$/i, '').slice(0, 200) || fileName.slice(0, 200);
  return count > 1 ? `${base} (${index + 1})`.slice(0, 200) : base.slice(0, 200);
}

function UploadForm({ onDone, onCancel }: { onDone: (results: UploadResult[]) => void; onCancel: () => void }) {
  const session = useSession();
  const orgs = session.memberships;
  const fileRef = useRef<FileInputRef>(null);
  const [files, setFiles] = useState<File[]>([]);
  const [name, setName] = useState('');
  const [orgId, setOrgId] = useState(orgs.length === 1 ? orgs[0]!.organisationId : '');
  const [label, setLabel] = useState<LabelDraft>({ tlp: 'AMBER', embargo: '', restricted: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [progress, setProgress] = useState<string | null>(null);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const found: Record<string, string> = {};
    if (files.length === 0) found.files = 'Choose one or more SBOM files (CycloneDX JSON or XML, SPDX JSON).';
    else if (files.length > MAX_FILES) found.files = `Choose at most ${MAX_FILES} files at a time.`;
    else {
      const big = files.find((f) => f.size > MAX_SBOM_BYTES);
      if (big) found.files = `${big.name} is larger than 50 MiB, the most the server accepts.`;
    }
    if (!orgId) found.organisation = 'Choose the organisation the inventory belongs to.';
    const labelResult = labelFromDraft(label);
    if ('errors' in labelResult) Object.assign(found, labelResult.errors);
    setErrors(found);
    if (Object.keys(found).length > 0 || 'errors' in labelResult) return focusFirstInvalid(event.currentTarget);

    const results: UploadResult[] = [];
    for (const [index, file] of files.entries()) {
      setProgress(`Uploading ${file.name} (${index + 1} of ${files.length})…`);
      try {
        const inventory = await api.uploadInventory(
          {
            name: inventoryName(name, file.name, index, files.length),
            organisationId: orgId,
            tlp: labelResult.label.tlp,
            ...(labelResult.label.embargoUntil ? { embargoUntil: labelResult.label.embargoUntil } : {}),
            ...(labelResult.label.restricted ? { restricted: labelResult.label.restricted } : {}),
          },
          { data: file, contentType: sbomContentType(file) },
        );
        results.push({ file: file.name, ok: true, inventory });
      } catch (err) {
        // One bad file does not stop the others: each gets its own verdict.
        results.push({ file: file.name, ok: false, detail: errorMessage(err) });
      }
    }
    setProgress(null);
    fileRef.current?.clearFiles();
    setFiles([]);
    onDone(results);
  };

  return (
    <Panel id="upload" heading="Upload SBOMs">
      <p className="usa-hint">
        Each file becomes one inventory: CycloneDX 1.4–1.6 (JSON or XML) or SPDX 2.x JSON, up to 50 MiB each.
      </p>
      {orgs.length === 0 ? (
        <p>You are not a member of any organisation, so you cannot upload an inventory. Ask an administrator to add you to one.</p>
      ) : (
        <Form onSubmit={submit} large noValidate>
          <Field id="upload-files" label="SBOM files" hint="You can choose several files at once." error={errors.files}>
            {(control) => (
              <FileInput
                ref={fileRef}
                id={control.id}
                name="files"
                multiple
                accept=".json,.xml,application/json,application/xml,text/xml"
                aria-describedby={control['aria-describedby']}
                aria-invalid={control['aria-invalid']}
                onChange={(e: ChangeEvent<HTMLInputElement>) => setFiles(Array.from(e.target.files ?? []))}
              />
            )}
          </Field>
          <Field id="upload-name" label="Name (optional)" hint="Left empty, each inventory is named after its file.">
            {(control) => (
              <input {...control} className="usa-input" name="name" type="text" maxLength={200} value={name} onChange={(e: ChangeEvent<HTMLInputElement>) => setName(e.target.value)} />
            )}
          </Field>
          <Field id="upload-org" label="Organisation" error={errors.organisation}>
            {(control, invalid) => (
              <Select {...control} validationStatus={invalid ? 'error' : undefined} name="organisationId" value={orgId} onChange={(e: ChangeEvent<HTMLSelectElement>) => setOrgId(e.target.value)}>
                {orgs.length > 1 && <option value="">- Select -</option>}
                {orgs.map((m) => (
                  <option key={m.organisationId} value={m.organisationId}>
                    {m.organisationName}
                  </option>
                ))}
              </Select>
            )}
          </Field>
          <LabelFields idPrefix="upload" value={label} onChange={setLabel} errors={errors} />
          {progress && (
            <p role="status" className="margin-top-2">
              {progress}
            </p>
          )}
          <FormActions busy={progress !== null} label="Upload" busyLabel="Uploading…" onCancel={onCancel} />
        </Form>
      )}
    </Panel>
  );
}

function UploadResults({ results }: { results: UploadResult[] }) {
  const failed = results.filter((r) => !r.ok).length;
  const type = failed === 0 ? 'success' : failed === results.length ? 'error' : 'warning';
  const heading =
    failed === 0
      ? `${results.length === 1 ? 'Inventory' : `${results.length} inventories`} created`
      : `${results.length - failed} of ${results.length} files uploaded`;
  return (
    <FocusAlert type={type} heading={heading} focusKey={results} testId="upload-results">
      <ul className="ch-upload-results">
        {results.map((r, i) => (
          <li key={`${r.file}-${i}`}>
            <strong>{r.file}</strong>:{' '}
            {r.ok ? (
              <>
                created <AppLink href={`/inventories/${encodeURIComponent(r.inventory.id)}`}>{r.inventory.name}</AppLink> with{' '}
                {r.inventory.componentCount} components
                {r.inventory.unmatchedCount > 0 ? `; ${r.inventory.unmatchedCount} could not be checked (see the inventory)` : ''}.
              </>
            ) : (
              <>error: {r.detail}</>
            )}
          </li>
        ))}
      </ul>
    </FocusAlert>
  );
}

export function InventoriesPage() {
  const session = useSession();
  const [uploading, setUploading] = useState(false);
  const [results, setResults] = useState<UploadResult[] | null>(null);
  const fetchPage = useCallback((from: string | null) => api.listInventories({ limit: PAGE_SIZE, cursor: from }), []);
  const { items, setItems, cursor, loading, error, loadMore } = usePagedList(fetchPage);
  const orgName = useOrganisationNames(items.map((i) => i.organisationId));

  return (
    <>
      <div className="ch-title-row">
        <PageHeading>Inventories</PageHeading>
        {!uploading && (
          <Button
            type="button"
            onClick={() => {
              setResults(null);
              setUploading(true);
            }}
          >
            Upload SBOMs
          </Button>
        )}
      </div>
      <p>
        An inventory is the list of software components an organisation runs, uploaded as an SBOM. When an advisory
        arrives, <AppLink href="/affected">Affected components</AppLink> finds every inventory it touches.
      </p>
      {results && <UploadResults results={results} />}
      {uploading && (
        <UploadForm
          onCancel={() => setUploading(false)}
          onDone={(done) => {
            setUploading(false);
            setResults(done);
            const created = done.flatMap((r) => (r.ok ? [r.inventory] : []));
            setItems((current) => [...created, ...current.filter((i) => !created.some((c) => c.id === i.id))]);
          }}
        />
      )}
      <ErrorAlert error={error} heading="Inventories could not be loaded" />
      {!loading && items.length === 0 && !error ? (
        <EmptyState>
          <p>
            <strong>No inventories yet.</strong>
          </p>
          <p>
            {session.memberships.length > 0
              ? 'Upload an SBOM of a system your organisation runs (Upload SBOMs, above) so advisories can be matched against it.'
              : 'You can upload inventories once an administrator adds you to an organisation.'}
          </p>
        </EmptyState>
      ) : (
        <ScrollTable caption="Inventories you can see" testId="inventories-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Organisation</th>
              <th scope="col">Format</th>
              <th scope="col" className="text-right">
                Components
              </th>
              <th scope="col" className="text-right">
                Not checked
              </th>
              <th scope="col">TLP label</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {items.map((inv) => (
              <tr key={inv.id}>
                <th scope="row">
                  <AppLink href={`/inventories/${encodeURIComponent(inv.id)}`}>{inv.name}</AppLink>
                </th>
                <td>
                  <AppLink href={`/organisations/${encodeURIComponent(inv.organisationId)}`}>{orgName(inv.organisationId) ?? <span className="ch-id">{inv.organisationId}</span>}</AppLink>
                </td>
                <td className="ch-nowrap">{inv.format}</td>
                <td className="text-right">{inv.componentCount}</td>
                <td className="text-right">{inv.unmatchedCount}</td>
                <td>
                  <TlpTag tlp={inv.label.tlp} />
                </td>
                <td className="ch-nowrap">
                  <TimeCell value={inv.updatedAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </ScrollTable>
      )}
      {loading && items.length === 0 && <p role="status">Loading inventories…</p>}
      <LoadMore cursor={cursor} loading={loading} onLoad={loadMore} />
    </>
  );
}
