// Report findings (issue 9): one finding by form, or documents by upload (SARIF 2.1.0, OSV, CSAF 2.0, AVID, or ZIP
// archives of them), each file its own request so that each has its own result. The server decides: its field
// problems land beside the field they name, and a duplicate says which finding it joined and why.
import { useEffect, useMemo, useRef, useState, type ChangeEvent, type FormEvent } from 'react';
import { Button, FileInput, Form, Select, Textarea, TextInput, type FileInputRef } from '@trussworks/react-uswds';
import { api, ApiError, type Organisation, type Tlp } from '../api.ts';
import { findingsApi, type CreateFindingResult, type FindingImportSummary, type FindingSubmission } from '../api-findings.ts';
import { ErrorAlert, Field, FocusAlert, focusFirstInvalid, PageHeading, Panel, ScrollTable } from '../components/common.component.tsx';
import { LabelFields, labelFromDraft, TlpField, type LabelDraft } from '../components/label-fields.component.tsx';
import { humanize } from '../components/labels.component.tsx';
import { AppLink } from '../router.tsx';
import { useSession } from '../session.context.tsx';

/** The server's caps (docs/findings.md): refusing a larger file here saves sending it to be told no. */
export const MAX_DOCUMENT_BYTES = 32 * 1024 * 1024;
export const MAX_ZIP_BYTES = 64 * 1024 * 1024;
export const MAX_FILES = 50;
const ALIAS_RE = /^[A-Za-z][A-Za-z0-9._:-]{1,99}$/;

interface FormDraft {
  organisationId: string;
  title: string;
  description: string;
  cwe: string;
  purl: string;
  versions: string;
  cpe: string;
  productName: string;
  maker: string;
  location: string;
  aliases: string;
}

const EMPTY: Omit<FormDraft, 'organisationId'> = { title: '', description: '', cwe: '', purl: '', versions: '', cpe: '', productName: '', maker: '', location: '', aliases: '' };

/** The server names fields by their path in the body (`product.purl`, `aliases[2]`, `label.tlp`); the form by its keys. */
const FIELD_OF: Record<string, keyof FormDraft | 'embargo' | 'restricted' | 'tlp' | 'product'> = {
  organisationId: 'organisationId',
  title: 'title',
  description: 'description',
  cwe: 'cwe',
  product: 'product',
  'product.purl': 'purl',
  'product.versions': 'versions',
  'product.cpe': 'cpe',
  'product.name': 'productName',
  'product.organisationId': 'maker',
  location: 'location',
  aliases: 'aliases',
  'label.tlp': 'tlp',
  'label.embargoUntil': 'embargo',
  'label.restricted': 'restricted',
};

/** A refused submission's problems, by form field (the rest go to the alert above the form). */
export function fieldErrorsOf(error: unknown): Record<string, string> {
  if (!(error instanceof ApiError)) return {};
  const out: Record<string, string> = {};
  const named = typeof error.problem.field === 'string' ? error.problem.field : null;
  const key = (path: string) => FIELD_OF[path.replace(/\[\d+\]$/, '')] ?? FIELD_OF[path.split('.')[0]!.replace(/\[\d+\]$/, '')];
  if (named && error.problem.detail) {
    const k = key(named);
    if (k) out[k] = error.problem.detail;
  }
  for (const e of error.problem.errors ?? []) {
    const k = key(e.path.replace(/^\/?(body\/)?/, '').split('/').filter(Boolean).map((s, i) => (i > 0 && /^\d+$/.test(s) ? `[${s}]` : s)).join('.').replace(/\.\[/g, '['));
    if (k && !out[k]) out[k] = e.message;
  }
  return out;
}

/** The form's own checks, before anything is sent (the server checks again). */
export function checkDraft(d: FormDraft): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!d.organisationId) errors.organisationId = 'Choose the organisation that reports the finding.';
  if (!d.title.trim()) errors.title = 'Give the finding a title.';
  if (!d.description.trim()) errors.description = 'Describe the finding: what is wrong and how it shows.';
  if (d.cwe.trim() && !/^(cwe-?)?0*[1-9][0-9]{0,5}$/i.test(d.cwe.trim())) errors.cwe = 'A CWE id like CWE-79 (or just 79).';
  if (!d.purl.trim() && !d.cpe.trim() && !d.productName.trim()) errors.product = 'Name the product: a package URL, a CPE, or a product name.';
  if (d.purl.trim() && !/^pkg:[a-z0-9.+-]+\/.+/i.test(d.purl.trim())) errors.purl = 'A package URL like pkg:npm/left-pad or pkg:pypi/requests.';
  if (d.cpe.trim() && !/^cpe:2\.3:[aho*]:[^:*]+:[^:*]+/i.test(d.cpe.trim())) errors.cpe = 'A CPE 2.3 name with a vendor and a product: cpe:2.3:a:vendor:product:…';
  const bad = splitAliases(d.aliases).find((a) => !ALIAS_RE.test(a));
  if (bad) errors.aliases = `${bad} is not an id like CVE-2026-1234 or GHSA-xxxx-xxxx-xxxx.`;
  return errors;
}

const splitAliases = (text: string) => text.split(/[\s,]+/).map((a) => a.trim()).filter(Boolean);
const orNull = (s: string) => (s.trim() ? s.trim() : null);

function ReportForm({ orgs, makers }: { orgs: { organisationId: string; organisationName: string }[]; makers: Organisation[] }) {
  const session = useSession();
  const client = useMemo(() => findingsApi(session.csrfToken), [session.csrfToken]);
  const [draft, setDraft] = useState<FormDraft>({ ...EMPTY, organisationId: orgs.length === 1 ? orgs[0]!.organisationId : '' });
  const [label, setLabel] = useState<LabelDraft>({ tlp: 'AMBER', embargo: '', restricted: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);
  const [result, setResult] = useState<CreateFindingResult | null>(null);
  const set = (k: keyof FormDraft) => (v: string) => setDraft((d) => ({ ...d, [k]: v }));

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const found = checkDraft(draft);
    const labelResult = labelFromDraft(label);
    if ('errors' in labelResult) Object.assign(found, labelResult.errors);
    setErrors(found);
    setFailure(null);
    if (Object.keys(found).length > 0 || 'errors' in labelResult) return focusFirstInvalid(form);
    const submission: FindingSubmission = {
      organisationId: draft.organisationId,
      title: draft.title.trim(),
      description: draft.description.trim(),
      cwe: orNull(draft.cwe),
      product: { purl: orNull(draft.purl), versions: orNull(draft.versions), cpe: orNull(draft.cpe), name: orNull(draft.productName), organisationId: orNull(draft.maker) },
      location: orNull(draft.location),
      aliases: splitAliases(draft.aliases),
      label: labelResult.label,
    };
    setBusy(true);
    try {
      const out = await client.create(submission);
      setResult(out);
      setDraft((d) => ({ ...EMPTY, organisationId: d.organisationId }));
    } catch (err) {
      const byField = fieldErrorsOf(err);
      setErrors(byField);
      setFailure(err);
      if (Object.keys(byField).length) focusFirstInvalid(form);
    } finally {
      setBusy(false);
    }
  };

  const text = (k: keyof FormDraft, label: string, hint?: string, maxLength = 500) => (
    <Field id={`finding-${k}`} label={label} hint={hint} error={errors[k]}>
      {(control, invalid) => (
        <TextInput {...control} validationStatus={invalid ? 'error' : undefined} type="text" name={k} maxLength={maxLength} value={draft[k]} onChange={(e: ChangeEvent<HTMLInputElement>) => set(k)(e.target.value)} />
      )}
    </Field>
  );

  return (
    <Panel id="report" heading="Report one finding">
      {result && (
        <FocusAlert type="success" heading={result.created ? 'Finding reported' : 'Linked to an existing finding'} focusKey={result} testId="report-result">
          {result.created ? (
            <>A new finding: </>
          ) : (
            <>
              It duplicates a finding your organisation already reads ({humanize(result.duplicate!.reason)}: <code>{result.duplicate!.matched}</code>); your
              report is added to it and you are credited:{' '}
            </>
          )}
          <AppLink href={`/findings/${result.finding.id}`}>{result.finding.title}</AppLink>.
        </FocusAlert>
      )}
      <ErrorAlert error={failure} heading="The finding was not reported" />
      <Form onSubmit={submit} large noValidate>
        <Field id="finding-organisationId" label="Reporting organisation" error={errors.organisationId}>
          {(control, invalid) => (
            <Select {...control} validationStatus={invalid ? 'error' : undefined} name="organisationId" value={draft.organisationId} onChange={(e: ChangeEvent<HTMLSelectElement>) => set('organisationId')(e.target.value)}>
              {orgs.length > 1 && <option value="">- Select -</option>}
              {orgs.map((m) => (
                <option key={m.organisationId} value={m.organisationId}>
                  {m.organisationName}
                </option>
              ))}
            </Select>
          )}
        </Field>
        {text('title', 'Title', 'One line: what and where.', 300)}
        <Field id="finding-description" label="Description" hint="What is wrong, how to reproduce it, what it allows." error={errors.description}>
          {(control, invalid) => (
            <Textarea {...control} error={invalid} name="description" maxLength={20_000} value={draft.description} onChange={(e: ChangeEvent<HTMLTextAreaElement>) => set('description')(e.target.value)} />
          )}
        </Field>
        {text('cwe', 'CWE (optional)', 'For example CWE-79.', 40)}
        <fieldset className="usa-fieldset ch-panel" aria-describedby={errors.product ? 'finding-product-error' : undefined}>
          <legend className="usa-legend">Affected product</legend>
          <p className="usa-hint">A package URL (with its affected versions), or a CPE, or a product name with the organisation that makes it.</p>
          {errors.product && (
            <span className="usa-error-message" id="finding-product-error">
              {errors.product}
            </span>
          )}
          {text('purl', 'Package URL', 'pkg:npm/left-pad, pkg:pypi/requests, pkg:huggingface/org/model…')}
          {text('versions', 'Affected versions', 'Free text, e.g. < 2.4.1.')}
          {text('cpe', 'CPE', 'cpe:2.3:a:vendor:product:…')}
          {text('productName', 'Product name', 'A hosted service, an AI model, a device…')}
          <Field id="finding-maker" label="Maker organisation (optional)" error={errors.maker}>
            {(control, invalid) => (
              <Select {...control} validationStatus={invalid ? 'error' : undefined} name="maker" value={draft.maker} onChange={(e: ChangeEvent<HTMLSelectElement>) => set('maker')(e.target.value)}>
                <option value="">- Unknown or none -</option>
                {makers.map((o) => (
                  <option key={o.id} value={o.id}>
                    {o.name}
                  </option>
                ))}
              </Select>
            )}
          </Field>
        </fieldset>
        {text('location', 'Location (optional)', 'file:line, URL, endpoint, model layer…', 1000)}
        {text('aliases', 'Aliases (optional)', 'CVE, GHSA or OSV ids, separated by spaces or commas.', 5000)}
        <LabelFields idPrefix="finding" value={label} onChange={setLabel} errors={errors} />
        <div className="margin-top-3">
          <Button type="submit" disabled={busy}>
            {busy ? 'Reporting…' : 'Report finding'}
          </Button>
        </div>
      </Form>
    </Panel>
  );
}

interface FileResult {
  file: string;
  ok: boolean;
  summary: FindingImportSummary | null;
  detail: string | null;
}

function UploadForm({ orgs }: { orgs: { organisationId: string; organisationName: string }[] }) {
  const session = useSession();
  const client = useMemo(() => findingsApi(session.csrfToken), [session.csrfToken]);
  const fileRef = useRef<FileInputRef>(null);
  const [files, setFiles] = useState<File[]>([]);
  const [orgId, setOrgId] = useState(orgs.length === 1 ? orgs[0]!.organisationId : '');
  const [tlp, setTlp] = useState<Tlp>('AMBER');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [progress, setProgress] = useState<string | null>(null);
  const [results, setResults] = useState<FileResult[] | null>(null);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const found: Record<string, string> = {};
    if (files.length === 0) found.files = 'Choose one or more documents: SARIF, OSV, CSAF, AVID, or ZIP archives of them.';
    else if (files.length > MAX_FILES) found.files = `Choose at most ${MAX_FILES} files at a time.`;
    else {
      const big = files.find((f) => f.size > (/\.zip$/i.test(f.name) ? MAX_ZIP_BYTES : MAX_DOCUMENT_BYTES));
      if (big) found.files = `${big.name} is larger than the server accepts (32 MiB a document, 64 MiB a ZIP archive).`;
    }
    if (!orgId) found.organisation = 'Choose the organisation that reports these findings.';
    setErrors(found);
    if (Object.keys(found).length > 0) return focusFirstInvalid(event.currentTarget);
    const out: FileResult[] = [];
    for (const [index, file] of files.entries()) {
      setProgress(`Uploading ${file.name} (${index + 1} of ${files.length})…`);
      try {
        const r = await client.upload(file, { organisationId: orgId, tlp });
        out.push(r.ok ? { file: file.name, ok: true, summary: r.summary, detail: null } : { file: file.name, ok: false, summary: r.summary, detail: r.problem.detail ?? r.problem.title });
      } catch (err) {
        out.push({ file: file.name, ok: false, summary: null, detail: err instanceof Error ? err.message : String(err) });
      }
    }
    setProgress(null);
    setResults(out);
    fileRef.current?.clearFiles();
    setFiles([]);
  };

  return (
    <Panel id="upload" heading="Upload documents">
      <p className="usa-hint">
        SARIF 2.1.0 logs, OSV records, CSAF 2.0 documents and AVID reports (up to 32 MiB each), or ZIP archives of them (up to 64 MiB). Each file is sent on its
        own and gets its own result; a file that cannot be read is refused whole and nothing of it is stored.
      </p>
      <Form onSubmit={submit} large noValidate>
        <Field id="upload-files" label="Documents" hint="You can choose several files at once." error={errors.files}>
          {(control) => (
            <FileInput
              ref={fileRef}
              id={control.id}
              name="documents"
              multiple
              accept=".json,.sarif,.zip,application/json,application/zip"
              aria-describedby={control['aria-describedby']}
              aria-invalid={control['aria-invalid']}
              onChange={(e: ChangeEvent<HTMLInputElement>) => setFiles(Array.from(e.target.files ?? []))}
            />
          )}
        </Field>
        <Field id="upload-org" label="Reporting organisation" error={errors.organisation}>
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
        <TlpField id="upload-tlp" hint="Who may read the findings (Traffic Light Protocol 2.0); AMBER: your organisation and the coordinators." value={tlp} onChange={setTlp} />
        {progress && (
          <p role="status" className="margin-top-2">
            {progress}
          </p>
        )}
        <div className="margin-top-3">
          <Button type="submit" disabled={progress !== null}>
            {progress ? 'Uploading…' : 'Upload'}
          </Button>
        </div>
      </Form>
      {results && (
        <>
          <FocusAlert type={results.every((r) => r.ok) ? 'success' : 'warning'} focusKey={results} testId="upload-done">
            {results.filter((r) => r.ok).length} of {results.length} {results.length === 1 ? 'file' : 'files'} imported.
          </FocusAlert>
          <ScrollTable caption="Result per file" testId="upload-results">
            <thead>
              <tr>
                <th scope="col">File</th>
                <th scope="col">Result</th>
                <th scope="col">Received</th>
                <th scope="col">Created</th>
                <th scope="col">Duplicates</th>
                <th scope="col">Rejected</th>
              </tr>
            </thead>
            <tbody>
              {results.map((r) => (
                <tr key={r.file} data-file={r.file}>
                  <th scope="row">{r.file}</th>
                  <td data-col="result">{r.ok ? 'Imported' : r.summary ? 'Refused: not a document that can be read; nothing was stored (see why beside)' : `Refused: ${r.detail}`}</td>
                  <td data-col="received">{r.summary?.received ?? '—'}</td>
                  <td data-col="created">{r.ok ? r.summary!.created : 0}</td>
                  <td data-col="duplicates">{r.ok ? r.summary!.duplicates : 0}</td>
                  <td data-col="rejected">
                    {r.summary && r.summary.rejected.length > 0 ? (
                      <ul className="usa-list usa-list--unstyled">
                        {r.summary.rejected.map((x) => (
                          <li key={x.path}>
                            <code>{x.path}</code>: {x.reason}
                          </li>
                        ))}
                      </ul>
                    ) : (
                      0
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </ScrollTable>
        </>
      )}
    </Panel>
  );
}

/** Report findings (issue 9): the form and the upload. */
export function IntakePage() {
  const session = useSession();
  const orgs = session.memberships.map((m) => ({ organisationId: m.organisationId, organisationName: m.organisationName }));
  const [makers, setMakers] = useState<Organisation[]>([]);
  const [loadError, setLoadError] = useState<unknown>(null);
  useEffect(() => {
    let live = true;
    // The maker is chosen among the organisations the reporter may see (the server refuses any other).
    api.listOrganisations({ limit: 200 }).then(
      (page) => live && setMakers(page.items),
      (err) => live && setLoadError(err),
    );
    return () => {
      live = false;
    };
  }, []);
  return (
    <>
      <PageHeading>Report findings</PageHeading>
      <p className="usa-intro">
        Findings reach the clearinghouse's coordinators under the label you choose. A finding your organisation already reads (the same fingerprint, alias, or
        product, CWE and location) is not created twice: your report is linked to it and you are credited.
      </p>
      <ErrorAlert error={loadError} heading="The organisation list could not be loaded" />
      {orgs.length === 0 ? (
        <p>You are not a member of any organisation, so you cannot report findings. Ask an administrator to add you to one.</p>
      ) : (
        <>
          <ReportForm orgs={orgs} makers={makers} />
          <UploadForm orgs={orgs} />
        </>
      )}
    </>
  );
}
