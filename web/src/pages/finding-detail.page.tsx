// A finding (issue 9): what was reported and under which label, every report on it (who reported it, when, and why
// it was linked), possible duplicates with coordinators' merge and split, the evidence attachments, and the triage
// panel. The server decides every write; a refusal shows its problem.
import { useCallback, useEffect, useMemo, useRef, useState, type ChangeEvent, type FormEvent } from 'react';
import { Button, FileInput, Form, Textarea, type FileInputRef } from '@trussworks/react-uswds';
import type { Session } from '../api.ts';
import { findingsApi, type AttachmentView, type CandidateView, type FindingReportView, type FindingView } from '../api-findings.ts';
import { Breadcrumbs, EmptyState, ErrorAlert, Field, FocusAlert, LoadMore, PageHeading, ScrollTable, TimeCell } from '../components/common.component.tsx';
import { CvssText, ExploitationText, FindingTriagePanel, isCoordinator } from '../components/finding-triage.component.tsx';
import { humanize, TlpTag } from '../components/labels.component.tsx';
import { usePagedList } from '../hooks/use-paged-list.ts';
import { AppLink, navigate } from '../router.tsx';
import { useSessionContext } from '../session.context.tsx';

/** Attaching evidence: the reporting organisation's members and coordinators (the server decides). */
function mayAttach(session: Session | null, f: FindingView): boolean {
  return !!session && (session.memberships.some((m) => m.organisationId === f.label.owner) || isCoordinator(session));
}

const REASON_WORDS: Record<string, string> = {
  first: 'First report',
  fingerprint: 'Same tool fingerprint',
  alias: 'Shared alias',
  'product-cwe-location': 'Same product, CWE and location',
  merged: 'Merged by a coordinator',
  split: 'Split out by a coordinator',
};

const SOURCE_WORDS: Record<string, string> = { form: 'Form', api: 'Form or API', sarif: 'SARIF', osv: 'OSV', csaf: 'CSAF', avid: 'AVID' };
const sourceText = (s: string) => SOURCE_WORDS[s] ?? humanize(s);

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function productText(f: FindingView): string {
  const p = f.product;
  const what = p.purl ?? p.cpe ?? p.name ?? '—';
  return [what, p.versions ? `(${p.versions})` : null, p.organisationName ? `by ${p.organisationName}` : null].filter(Boolean).join(' ');
}

/** A note asked for before a coordinator's merge or split; the decision is sent with it. */
function NoteForm({ id, label, action, onSubmit, onCancel }: { id: string; label: string; action: string; onSubmit: (note: string) => Promise<void>; onCancel: () => void }) {
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!note.trim()) {
      setError('Write a note: say why.');
      return;
    }
    setBusy(true);
    try {
      await onSubmit(note.trim());
    } finally {
      setBusy(false);
    }
  };
  return (
    <Form onSubmit={submit} noValidate className="maxw-none margin-top-1">
      <Field id={id} label={label} error={error}>
        {(control, invalid) => <Textarea {...control} error={invalid} name="note" maxLength={4000} value={note} onChange={(e: ChangeEvent<HTMLTextAreaElement>) => setNote(e.target.value)} />}
      </Field>
      <Button type="submit" disabled={busy} className="margin-top-1">
        {busy ? 'Working…' : action}
      </Button>
      <Button type="button" unstyled className="margin-left-2" onClick={onCancel}>
        Cancel
      </Button>
    </Form>
  );
}

export function FindingDetailPage({ findingId }: { findingId: string }) {
  const { state } = useSessionContext();
  const session = state.status === 'signed-in' ? state.session : null;
  const client = useMemo(() => findingsApi(session?.csrfToken ?? null), [session?.csrfToken]);
  const coordinator = isCoordinator(session);
  const [finding, setFinding] = useState<FindingView | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [attachments, setAttachments] = useState<AttachmentView[]>([]);
  const [notice, setNotice] = useState<string | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [splitting, setSplitting] = useState<string | null>(null);
  const [merging, setMerging] = useState<{ other: string; direction: 'into-other' | 'into-this' } | null>(null);
  const [generation, setGeneration] = useState(0);
  const fileRef = useRef<FileInputRef>(null);
  const [file, setFile] = useState<File | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [uploading, setUploading] = useState(false);

  const load = useCallback(async () => {
    try {
      const [f, a] = await Promise.all([client.get(findingId), client.attachments(findingId)]);
      setFinding(f);
      setAttachments(a.items);
      setLoadError(null);
    } catch (err) {
      setLoadError(err);
    }
  }, [client, findingId]);
  useEffect(() => {
    void load();
  }, [load, generation]);

  const fetchReports = useCallback((cursor: string | null) => client.reports(findingId, cursor), [client, findingId, generation]);
  const fetchCandidates = useCallback((cursor: string | null) => client.candidates(findingId, cursor), [client, findingId, generation]);
  const reports = usePagedList<FindingReportView>(fetchReports);
  const candidates = usePagedList<CandidateView>(fetchCandidates);

  const refresh = (message: string) => {
    setNotice(message);
    setActionError(null);
    setGeneration((g) => g + 1);
  };

  const split = async (report: FindingReportView, note: string) => {
    try {
      const out = await client.split(findingId, report.id, note);
      setSplitting(null);
      refresh(`${report.reporter.organisationName}'s report is now on ${out.findingId === findingId ? 'this finding' : `finding ${out.finding?.title ?? out.findingId}`}.`);
    } catch (err) {
      setActionError(err);
    }
  };

  const merge = async (other: CandidateView, direction: 'into-other' | 'into-this', note: string) => {
    try {
      if (direction === 'into-other') {
        await client.merge(findingId, other.finding.id, note);
        setMerging(null);
        navigate(`/findings/${other.finding.id}`);
        return;
      }
      await client.merge(other.finding.id, findingId, note);
      setMerging(null);
      refresh(`${other.finding.title} was merged into this finding.`);
    } catch (err) {
      setActionError(err);
    }
  };

  const upload = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!file) {
      setFileError('Choose a file to attach.');
      return;
    }
    setFileError(null);
    setUploading(true);
    try {
      const a = await client.attach(findingId, file);
      fileRef.current?.clearFiles();
      setFile(null);
      setAttachments((list) => [...list, a]);
      setNotice(`${a.filename} is attached.`);
      setActionError(null);
    } catch (err) {
      setActionError(err);
    } finally {
      setUploading(false);
    }
  };

  if (loadError) {
    return (
      <>
        <PageHeading>Finding</PageHeading>
        <ErrorAlert error={loadError} heading="This finding could not be shown" />
      </>
    );
  }
  if (!finding) return <p role="status">Loading the finding…</p>;

  return (
    <>
      <Breadcrumbs parent={{ href: '/findings', label: 'Findings' }} current={finding.title} />
      <PageHeading>{finding.title}</PageHeading>
      {notice && (
        <FocusAlert type="success" focusKey={notice}>
          {notice}
        </FocusAlert>
      )}
      <ErrorAlert error={actionError} heading="That was not done" />
      {finding.mergedInto && (
        <FocusAlert type="info" heading="Merged">
          A coordinator merged this finding into <AppLink href={`/findings/${finding.mergedInto}`}>another finding</AppLink>; its reports are there now.
        </FocusAlert>
      )}
      <div className="grid-row grid-gap-lg">
        <div className="desktop:grid-col-7">
          <section className="ch-panel" aria-labelledby="finding-facts-heading" data-testid="finding-facts">
            <h2 id="finding-facts-heading" className="margin-top-0">
              The finding
            </h2>
            <dl className="ch-facts">
              <dt>Label</dt>
              <dd>
                <TlpTag tlp={finding.label.tlp} />
                {finding.label.embargoUntil && (
                  <>
                    {' '}
                    embargoed until <TimeCell value={finding.label.embargoUntil} />
                  </>
                )}
              </dd>
              <dt>Reported by</dt>
              <dd>
                {finding.reporter.organisationName} ({sourceText(finding.source)}), <TimeCell value={finding.createdAt} />
              </dd>
              <dt>Product</dt>
              <dd data-testid="finding-product">{productText(finding)}</dd>
              <dt>CWE</dt>
              <dd>{finding.cwe ?? '—'}</dd>
              <dt>Location</dt>
              <dd>{finding.location ? <code>{finding.location}</code> : '—'}</dd>
              <dt>Aliases</dt>
              <dd>{finding.aliases.length ? finding.aliases.join(', ') : '—'}</dd>
              <dt>State</dt>
              <dd>{humanize(finding.state)}</dd>
              <dt>Scores</dt>
              <dd>
                <CvssText finding={finding} />
              </dd>
              <dt>Exploitation</dt>
              <dd>
                <ExploitationText finding={finding} />
              </dd>
              <dt>Reports</dt>
              <dd>{finding.reports}</dd>
            </dl>
            <h3>Description</h3>
            <p style={{ whiteSpace: 'pre-wrap' }}>
              {finding.description}
            </p>
          </section>

          <section className="ch-panel" aria-labelledby="finding-reports-heading">
            <h2 id="finding-reports-heading" className="margin-top-0">
              Reports
            </h2>
            <p className="usa-hint">Every organisation that reported this finding is credited; each report says why it was linked here.</p>
            <ErrorAlert error={reports.error} heading="The reports could not be loaded" />
            <ScrollTable caption="Reports on this finding" testId="finding-reports">
              <thead>
                <tr>
                  <th scope="col">Reporter</th>
                  <th scope="col">Received</th>
                  <th scope="col">Source</th>
                  <th scope="col">Why linked</th>
                  {coordinator && <th scope="col">Decision</th>}
                </tr>
              </thead>
              <tbody>
                {reports.items.map((r) => (
                  <tr key={r.id} data-reason={r.reason}>
                    <th scope="row">{r.reporter.organisationName}</th>
                    <td>
                      <TimeCell value={r.receivedAt} />
                    </td>
                    <td>
                      {sourceText(r.source)}
                      {r.tool && (
                        <div className="text-base">
                          {r.tool.name}
                          {r.tool.model ? ` (${r.tool.model})` : ''}
                        </div>
                      )}
                    </td>
                    <td>
                      {REASON_WORDS[r.reason] ?? humanize(r.reason)}
                      {r.matched && (
                        <div>
                          <code>{r.matched}</code>
                        </div>
                      )}
                      {r.note && <div className="text-italic">“{r.note}”</div>}
                    </td>
                    {coordinator && (
                      <td>
                        {r.reason !== 'first' &&
                          (splitting === r.id ? (
                            <NoteForm id={`split-${r.id}`} label="Why split it out?" action="Split out" onSubmit={(note) => split(r, note)} onCancel={() => setSplitting(null)} />
                          ) : (
                            <Button type="button" outline onClick={() => setSplitting(r.id)}>
                              Split out…
                            </Button>
                          ))}
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </ScrollTable>
            <LoadMore cursor={reports.cursor} loading={reports.loading} onLoad={reports.loadMore} />
          </section>

          <section className="ch-panel" aria-labelledby="finding-candidates-heading">
            <h2 id="finding-candidates-heading" className="margin-top-0">
              Possible duplicates
            </h2>
            <p className="usa-hint">Findings you may read that share a fingerprint, an alias, or product, CWE and location with this one. Intake links only what the reporter could read; coordinators merge the rest.</p>
            <ErrorAlert error={candidates.error} heading="The possible duplicates could not be loaded" />
            {!candidates.loading && candidates.items.length === 0 ? (
              <EmptyState>No other finding you may read shares a key with this one.</EmptyState>
            ) : (
              <ScrollTable caption="Possible duplicates" testId="finding-candidates">
                <thead>
                  <tr>
                    <th scope="col">Finding</th>
                    <th scope="col">Reporter</th>
                    <th scope="col">State</th>
                    <th scope="col">Shared keys</th>
                    {coordinator && !finding.mergedInto && <th scope="col">Merge</th>}
                  </tr>
                </thead>
                <tbody>
                  {candidates.items.map((c) => (
                    <tr key={c.finding.id}>
                      <th scope="row">
                        <AppLink href={`/findings/${c.finding.id}`}>{c.finding.title}</AppLink>
                      </th>
                      <td>{c.finding.reporter.organisationName}</td>
                      <td>{humanize(c.finding.state)}</td>
                      <td>
                        {c.shared.map((k) => (
                          <div key={`${k.kind}|${k.value}`}>
                            {humanize(k.kind)}: <code>{k.value}</code>
                          </div>
                        ))}
                      </td>
                      {coordinator && !finding.mergedInto && (
                        <td>
                          {merging?.other === c.finding.id ? (
                            <NoteForm
                              id={`merge-${c.finding.id}`}
                              label="Why are they the same?"
                              action={merging.direction === 'into-this' ? 'Merge it into this finding' : 'Merge this finding into it'}
                              onSubmit={(note) => merge(c, merging.direction, note)}
                              onCancel={() => setMerging(null)}
                            />
                          ) : (
                            <>
                              <Button type="button" outline onClick={() => setMerging({ other: c.finding.id, direction: 'into-this' })}>
                                Merge into this…
                              </Button>
                              <Button type="button" unstyled className="margin-top-1" onClick={() => setMerging({ other: c.finding.id, direction: 'into-other' })}>
                                Merge this into it…
                              </Button>
                            </>
                          )}
                        </td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </ScrollTable>
            )}
            <LoadMore cursor={candidates.cursor} loading={candidates.loading} onLoad={candidates.loadMore} />
          </section>

          <section className="ch-panel" aria-labelledby="finding-evidence-heading">
            <h2 id="finding-evidence-heading" className="margin-top-0">
              Evidence
            </h2>
            {attachments.length === 0 ? (
              <EmptyState>No evidence is attached.</EmptyState>
            ) : (
              <ScrollTable caption="Evidence attachments" testId="finding-attachments">
                <thead>
                  <tr>
                    <th scope="col">File</th>
                    <th scope="col">Type</th>
                    <th scope="col">Size</th>
                    <th scope="col">SHA-256</th>
                    <th scope="col">Added</th>
                  </tr>
                </thead>
                <tbody>
                  {attachments.map((a) => (
                    <tr key={a.id}>
                      <th scope="row">
                        <a href={a.url} download={a.filename}>
                          {a.filename}
                        </a>
                      </th>
                      <td>{a.mediaType}</td>
                      <td className="ch-nowrap">{formatSize(a.size)}</td>
                      <td>
                        <code title={a.sha256}>{a.sha256.slice(0, 16)}…</code>
                      </td>
                      <td>
                        <TimeCell value={a.createdAt} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </ScrollTable>
            )}
            {mayAttach(session, finding) && (
              <Form onSubmit={upload} noValidate className="maxw-none">
                <Field id="attach-file" label="Attach evidence" hint="Any file up to the server's limit (25 MiB by default). It is kept as a download and never shown inline." error={fileError}>
                  {(control) => (
                    <FileInput
                      ref={fileRef}
                      id={control.id}
                      name="evidence"
                      aria-describedby={control['aria-describedby']}
                      aria-invalid={control['aria-invalid']}
                      onChange={(e: ChangeEvent<HTMLInputElement>) => setFile(e.target.files?.[0] ?? null)}
                    />
                  )}
                </Field>
                <Button type="submit" disabled={uploading} className="margin-top-1">
                  {uploading ? 'Attaching…' : 'Attach'}
                </Button>
              </Form>
            )}
          </section>
        </div>
        <div className="desktop:grid-col-5">
          <FindingTriagePanel key={generation} findingId={findingId} onChange={(f) => setFinding((old) => (old ? { ...old, ...f } : f))} />
        </div>
      </div>
    </>
  );
}
