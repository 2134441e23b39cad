// One coordinated disclosure case (issue 9; docs/cases.md): participants with their roles, suggested vendors, the
// vendor status table with what changed since your last visit and each vendor's statement form, the timeline with
// the public date's countdown, history and extension requests, the advisory, and the case's threads.
import { useCallback, useEffect, useMemo, useState, type ChangeEvent, type FormEvent } from 'react';
import { Button, Select, Tag, Textarea, TextInput } from '@trussworks/react-uswds';
import { api, ApiError, type Organisation } from '../api.ts';
import { caseApi, PARTICIPANT_ROLES, VENDOR_STATUSES, type CaseApi, type CaseView, type FixedVersion, type ParticipantRole, type SuggestionView, type VendorStatus, type VendorStatusView } from '../api-cases.ts';
import { CaseThread } from '../components/case-thread.component.tsx';
import { Breadcrumbs, EmptyState, ErrorAlert, Field, FocusAlert, PageHeading, Panel, ScrollTable, TimeCell, localTimeZone, problemFieldErrors } from '../components/common.component.tsx';
import { humanize, kindLabel, TlpTag } from '../components/labels.component.tsx';
import { AppLink } from '../router.tsx';
import { useSessionContext } from '../session.context.tsx';
import { daysUntil } from './cases.page.tsx';

const STATUS_LABELS: Record<VendorStatus, string> = {
  unknown: 'Unknown',
  'under-investigation': 'Under investigation',
  affected: 'Affected',
  'not-affected': 'Not affected',
  fixed: 'Fixed',
};

/** "pkg:npm/a 1.2.3" per line <-> fixed versions. */
function parseFixed(text: string): { fixed: FixedVersion[]; bad: string | null } {
  const fixed: FixedVersion[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    const t = line.trim();
    if (!t) continue;
    const [purl, version, ...rest] = t.split(/\s+/);
    if (!purl || !version || rest.length) return { fixed, bad: `Line ${i + 1}: write the package's purl, a space, and the fixed version.` };
    fixed.push({ purl, fixed: version });
  }
  return { fixed, bad: null };
}

function StatementForm({ client, caseId, vendor, onSaved }: { client: CaseApi; caseId: string; vendor: VendorStatusView; onSaved: () => void }) {
  const [status, setStatus] = useState<VendorStatus>(vendor.status);
  const [statement, setStatement] = useState(vendor.statement);
  const [fixed, setFixed] = useState(vendor.fixedVersions.map((f) => `${f.purl} ${f.fixed}`).join('\n'));
  const [mitigations, setMitigations] = useState(vendor.mitigations);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState(false);
  const id = `statement-${vendor.organisationId}`;

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const parsed = parseFixed(fixed);
    if (parsed.bad) {
      setErrors({ fixedVersions: parsed.bad });
      return;
    }
    setErrors({});
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      await client.setStatus(caseId, vendor.organisationId, { status, statement, fixedVersions: parsed.fixed, mitigations, version: vendor.version });
      setSaved(true);
      onSaved();
    } catch (err) {
      const fields = problemFieldErrors(err);
      setErrors(Object.fromEntries(Object.entries(fields).map(([k, v]) => [k.startsWith('fixedVersions') ? 'fixedVersions' : k, v])));
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={(e) => void submit(e)} className="usa-form maxw-none margin-top-2" noValidate data-testid={`statement-form-${vendor.organisationId}`}>
      <h3 className="margin-bottom-0">Statement of {vendor.name}</h3>
      <Field id={`${id}-status`} label="Status" error={errors.status}>
        {(control) => (
          <Select {...control} name="status" value={status} onChange={(e: ChangeEvent<HTMLSelectElement>) => setStatus(e.target.value as VendorStatus)}>
            {VENDOR_STATUSES.map((s) => (
              <option key={s} value={s}>
                {STATUS_LABELS[s]}
              </option>
            ))}
          </Select>
        )}
      </Field>
      <Field id={`${id}-statement`} label="Statement" hint="What you found, for the other participants and, once public, the advisory." error={errors.statement}>
        {(control) => <Textarea {...control} name="statement" value={statement} maxLength={10000} onChange={(e: ChangeEvent<HTMLTextAreaElement>) => setStatement(e.target.value)} />}
      </Field>
      <Field id={`${id}-fixed`} label="Fixed versions" hint="One per line: the package's purl and the first fixed version, e.g. pkg:npm/@acme/widget 2.1.0." error={errors.fixedVersions}>
        {(control) => <Textarea {...control} name="fixedVersions" value={fixed} onChange={(e: ChangeEvent<HTMLTextAreaElement>) => setFixed(e.target.value)} />}
      </Field>
      <Field id={`${id}-mitigations`} label="Mitigations" error={errors.mitigations}>
        {(control) => <Textarea {...control} name="mitigations" value={mitigations} maxLength={10000} onChange={(e: ChangeEvent<HTMLTextAreaElement>) => setMitigations(e.target.value)} />}
      </Field>
      <ErrorAlert error={error} heading="The statement could not be saved" />
      {saved && <FocusAlert type="success">Statement saved.</FocusAlert>}
      <Button type="submit" disabled={busy} className="margin-top-2" data-testid="statement-submit">
        {busy ? 'Saving…' : 'Save the statement'}
      </Button>
    </form>
  );
}

function StatusTable({ view, client, onChanged }: { view: CaseView; client: CaseApi; onChanged: () => void }) {
  const rows = view.statuses.items;
  const writable = rows.filter((r) => view.permissions.setStatusFor.includes(r.organisationId));
  return (
    <Panel id="case-statuses" heading="Vendor statuses">
      <p>
        {view.statuses.seenAt ? (
          <>
            Statuses marked new changed since your last visit (<TimeCell value={view.statuses.seenAt} />).
          </>
        ) : (
          'This is your first visit: every status set by someone else is new to you.'
        )}
      </p>
      {rows.length === 0 ? (
        <EmptyState>
          <p>No vendor takes part yet. Add one under Participants (suggested vendors are listed there).</p>
        </EmptyState>
      ) : (
        <ScrollTable caption="Vendor statuses" testId="case-status-table">
          <thead>
            <tr>
              <th scope="col">Vendor</th>
              <th scope="col">Status</th>
              <th scope="col">Statement</th>
              <th scope="col">Fixed versions</th>
              <th scope="col">Mitigations</th>
              <th scope="col">Last change</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((s) => (
              <tr key={s.organisationId} data-testid={`status-row-${s.organisationId}`}>
                <th scope="row">
                  {s.name}
                  {s.unread && (
                    <>
                      {' '}
                      <Tag className="bg-secondary-dark" data-testid="status-new">
                        New
                      </Tag>
                    </>
                  )}
                </th>
                <td data-testid="status-value">{STATUS_LABELS[s.status]}</td>
                <td className="ch-prewrap">{s.statement || '—'}</td>
                <td>{s.fixedVersions.length ? s.fixedVersions.map((f) => <div key={`${f.purl}@${f.fixed}`} className="ch-nowrap">{f.purl} {f.fixed}</div>) : '—'}</td>
                <td className="ch-prewrap">{s.mitigations || '—'}</td>
                <td className="ch-nowrap">
                  <TimeCell value={s.updatedAt} />
                  {s.updatedBy && <div className="font-sans-3xs text-base">{s.updatedBy}</div>}
                </td>
              </tr>
            ))}
          </tbody>
        </ScrollTable>
      )}
      {writable.map((v) => (
        <StatementForm key={v.organisationId} client={client} caseId={view.id} vendor={v} onSaved={onChanged} />
      ))}
    </Panel>
  );
}

function Participants({ view, client, onChanged }: { view: CaseView; client: CaseApi; onChanged: (v: CaseView | null) => void }) {
  const { state } = useSessionContext();
  const session = state.status === 'signed-in' ? state.session : null;
  const [orgs, setOrgs] = useState<Organisation[] | null>(null);
  const [suggestions, setSuggestions] = useState<SuggestionView[] | null>(null);
  const [organisationId, setOrganisationId] = useState('');
  const [role, setRole] = useState<ParticipantRole>('vendor');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const manage = view.permissions.manage;

  useEffect(() => {
    let live = true;
    client.suggestions(view.id).then((s) => live && setSuggestions(s.items), () => live && setSuggestions([]));
    if (manage) {
      api.listOrganisations({ limit: 200 }).then((p) => live && setOrgs(p.items), () => live && setOrgs([]));
    }
    return () => {
      live = false;
    };
  }, [client, view.id, view.version, manage]);

  const run = async (fn: () => Promise<CaseView | null | void>) => {
    setBusy(true);
    setError(null);
    try {
      const v = await fn();
      onChanged(v ?? null);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const taking = new Set(view.participantList.map((p) => p.organisationId));
  const mine = new Set(session?.memberships.map((m) => m.organisationId) ?? []);
  const govOrg = session?.memberships.find((m) => m.kind === 'government' && !taking.has(m.organisationId));

  return (
    <Panel id="case-participants" heading="Participants">
      <ScrollTable caption="Participants" testId="case-participants">
        <thead>
          <tr>
            <th scope="col">Organisation</th>
            <th scope="col">Kind</th>
            <th scope="col">Role</th>
            <th scope="col">Since</th>
            <th scope="col">
              <span className="usa-sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {view.participantList.map((p) => (
            <tr key={p.organisationId}>
              <th scope="row">
                {p.name}
                {p.organisationId === view.owner.organisationId && <span className="text-base"> (owner)</span>}
              </th>
              <td>{kindLabel(p.kind)}</td>
              <td>{humanize(p.role)}</td>
              <td className="ch-nowrap">
                <TimeCell value={p.addedAt} />
              </td>
              <td>
                {p.organisationId !== view.owner.organisationId && view.state === 'open' && (manage || mine.has(p.organisationId)) && (
                  <Button type="button" unstyled disabled={busy} onClick={() => void run(async () => (await client.removeParticipant(view.id, p.organisationId), mine.has(p.organisationId) && !manage ? null : client.get(view.id)))}>
                    {manage ? `Remove ${p.name}` : 'Leave the case'}
                  </Button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </ScrollTable>
      <ErrorAlert error={error} heading="The participants could not be changed" />
      {view.permissions.join && govOrg && (
        <p>
          <Button type="button" outline disabled={busy} onClick={() => void run(() => client.addParticipant(view.id, govOrg.organisationId, 'coordinator'))}>
            Join as coordinator ({govOrg.organisationName})
          </Button>
        </p>
      )}
      <h3>Suggested vendors</h3>
      {suggestions === null ? (
        <p role="status">Loading…</p>
      ) : suggestions.length === 0 ? (
        <p data-testid="case-no-suggestions">No other organisation declared the products of the findings you may read.</p>
      ) : (
        <ul className="usa-list" data-testid="case-suggestions">
          {suggestions.map((s) => (
            <li key={s.organisationId}>
              <strong>{s.name}</strong> ({kindLabel(s.kind)}): {s.reasons.map((r) => (r.declaration ? `declared ${r.declaration}` : 'makes the product')).filter((x, i, all) => all.indexOf(x) === i).join('; ')}{' '}
              {manage && view.state === 'open' && (
                <Button type="button" unstyled disabled={busy} onClick={() => void run(() => client.addParticipant(view.id, s.organisationId, 'vendor'))}>
                  Add {s.name} as vendor
                </Button>
              )}
            </li>
          ))}
        </ul>
      )}
      {manage && view.state === 'open' && (
        <form
          className="usa-form maxw-none"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            if (organisationId) void run(() => client.addParticipant(view.id, organisationId, role));
          }}
        >
          <h3>Add a participant</h3>
          <p>The organisation is notified and reads the case and its findings from now on.</p>
          <div className="grid-row grid-gap">
            <div className="tablet:grid-col-6">
              <Field id="participant-organisation" label="Organisation">
                {(control) => (
                  <Select {...control} name="organisationId" value={organisationId} onChange={(e: ChangeEvent<HTMLSelectElement>) => setOrganisationId(e.target.value)}>
                    <option value="">Choose…</option>
                    {(orgs ?? []).filter((o) => !taking.has(o.id)).map((o) => (
                      <option key={o.id} value={o.id}>
                        {o.name} ({kindLabel(o.kind)})
                      </option>
                    ))}
                  </Select>
                )}
              </Field>
            </div>
            <div className="tablet:grid-col-3">
              <Field id="participant-role" label="Role">
                {(control) => (
                  <Select {...control} name="role" value={role} onChange={(e: ChangeEvent<HTMLSelectElement>) => setRole(e.target.value as ParticipantRole)}>
                    {PARTICIPANT_ROLES.map((r) => (
                      <option key={r} value={r}>
                        {humanize(r)}
                      </option>
                    ))}
                  </Select>
                )}
              </Field>
            </div>
          </div>
          <Button type="submit" disabled={busy || !organisationId} className="margin-top-2" data-testid="participant-add">
            Add participant
          </Button>
        </form>
      )}
    </Panel>
  );
}

function Timeline({ view, client, onChanged }: { view: CaseView; client: CaseApi; onChanged: (v: CaseView | null) => void }) {
  const [date, setDate] = useState('');
  const [reason, setReason] = useState('');
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const left = daysUntil(view.publicDate);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const local: Record<string, string> = {};
    const d = new Date(date);
    if (!date || Number.isNaN(d.getTime())) local.publicDate = 'Enter the new public date as a date and time.';
    if (!reason.trim()) local.reason = 'Say why the date moves.';
    setErrors(local);
    if (Object.keys(local).length) return;
    setBusy(true);
    setError(null);
    try {
      if (asking) {
        await client.requestExtension(view.id, { publicDate: d.toISOString(), reason: reason.trim() });
        onChanged(null);
      } else onChanged(await client.changePublicDate(view.id, view.version, d.toISOString(), reason.trim()));
      setDate('');
      setReason('');
    } catch (err) {
      setErrors(problemFieldErrors(err));
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const decide = async (requestId: string, accept: boolean) => {
    setBusy(true);
    setError(null);
    try {
      await client.decideExtension(view.id, requestId, accept);
      onChanged(null);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const canChange = view.permissions.manage || view.permissions.requestExtension;

  return (
    <Panel id="case-timeline" heading="Timeline">
      <p className="font-sans-lg margin-y-1" data-testid="case-countdown">
        Public date: <TimeCell value={view.publicDate} />
        {view.state === 'open' ? <> — {left === 0 ? 'today' : `in ${left} ${left === 1 ? 'day' : 'days'}`}</> : <> — the case closed <TimeCell value={view.closedAt} /></>}
      </p>
      <p className="text-base">Reminders go to every participant 14, 7 and 1 days before. At the public date the advisory is published and the case closes.</p>
      <ScrollTable caption="Changes to the public date, newest first" testId="case-date-history">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Change</th>
            <th scope="col">From</th>
            <th scope="col">To</th>
            <th scope="col">Reason</th>
            <th scope="col">By</th>
          </tr>
        </thead>
        <tbody>
          {view.publicDateInfo.history.map((h, i) => (
            <tr key={`${h.at}-${i}`}>
              <td className="ch-nowrap">
                <TimeCell value={h.at} />
              </td>
              <td>{h.kind === 'opened' ? 'Set at opening' : h.kind === 'extension' ? 'Extension accepted' : 'Changed'}</td>
              <td className="ch-nowrap">
                <TimeCell value={h.from} />
              </td>
              <td className="ch-nowrap">
                <TimeCell value={h.to} />
              </td>
              <td>{h.reason}</td>
              <td>{h.actor}</td>
            </tr>
          ))}
        </tbody>
      </ScrollTable>
      <h3>Extension requests</h3>
      {view.extensionRequests.length === 0 ? (
        <p>None.</p>
      ) : (
        <ScrollTable caption="Extension requests, newest first" testId="case-extensions">
          <thead>
            <tr>
              <th scope="col">Asked by</th>
              <th scope="col">For</th>
              <th scope="col">Reason</th>
              <th scope="col">State</th>
              <th scope="col">
                <span className="usa-sr-only">Decision</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {view.extensionRequests.map((r) => (
              <tr key={r.id}>
                <th scope="row">
                  {r.organisationName}
                  <div className="font-sans-3xs text-base">
                    {r.requestedBy}, <TimeCell value={r.createdAt} />
                  </div>
                </th>
                <td className="ch-nowrap">
                  <TimeCell value={r.publicDate} />
                </td>
                <td>{r.reason}</td>
                <td>
                  {humanize(r.state)}
                  {r.decidedBy && (
                    <div className="font-sans-3xs text-base">
                      {r.decidedBy}, <TimeCell value={r.decidedAt} />
                    </div>
                  )}
                </td>
                <td className="ch-nowrap">
                  {r.state === 'pending' && view.permissions.manage && (
                    <>
                      <Button type="button" unstyled disabled={busy} onClick={() => void decide(r.id, true)}>
                        Accept
                      </Button>{' '}
                      <Button type="button" unstyled disabled={busy} onClick={() => void decide(r.id, false)}>
                        Refuse
                      </Button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </ScrollTable>
      )}
      {canChange && view.state === 'open' && (
        <form className="usa-form maxw-none" noValidate onSubmit={(e) => void submit(e)}>
          <h3>{view.permissions.manage && !asking ? 'Move the public date' : 'Ask for an extension'}</h3>
          {view.permissions.manage && (
            <p>
              <Button type="button" unstyled onClick={() => setAsking(!asking)}>
                {asking ? 'Move the date yourself instead' : 'Ask for an extension instead'}
              </Button>
            </p>
          )}
          <Field id="date-new" label="New public date" hint={`In your time zone, ${localTimeZone()}.`} error={errors.publicDate}>
            {(control) => <input {...control} className="usa-input" type="datetime-local" name="publicDate" value={date} onChange={(e: ChangeEvent<HTMLInputElement>) => setDate(e.target.value)} />}
          </Field>
          <Field id="date-reason" label="Reason" error={errors.reason}>
            {(control) => <Textarea {...control} name="reason" value={reason} maxLength={2000} onChange={(e: ChangeEvent<HTMLTextAreaElement>) => setReason(e.target.value)} />}
          </Field>
          <ErrorAlert error={error} heading="The public date could not be changed" />
          <Button type="submit" disabled={busy} className="margin-top-2">
            {view.permissions.manage && !asking ? 'Move the date' : 'Ask for the extension'}
          </Button>
        </form>
      )}
      {!(canChange && view.state === 'open') && <ErrorAlert error={error} heading="The request failed" />}
    </Panel>
  );
}

function AdvisoryPanel({ view, client, onChanged }: { view: CaseView; client: CaseApi; onChanged: (v: CaseView | null) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const draft = async () => {
    setBusy(true);
    setError(null);
    try {
      onChanged((await client.draftAdvisory(view.id)).case);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Panel id="case-advisory" heading="Advisory">
      {view.advisory ? (
        <p data-testid="case-advisory-link">
          <AppLink href={`/advisories/${encodeURIComponent(view.advisory.id)}`}>{view.advisory.id}</AppLink> ({humanize(view.advisory.state)})
          {view.advisory.state === 'draft' && view.state === 'open' && <> — published with the case&apos;s closing at the public date.</>}
        </p>
      ) : view.permissions.manage ? (
        <>
          <p>Draft the OSV advisory from the vendors&apos; statements (affected packages and fixed versions), the reporters (credits) and the findings&apos; aliases. Edit it on its page; it is published at the public date.</p>
          <ErrorAlert error={error} heading="The advisory could not be drafted" />
          <Button type="button" disabled={busy} onClick={() => void draft()} data-testid="case-draft-advisory">
            {busy ? 'Drafting…' : 'Draft the advisory'}
          </Button>
        </>
      ) : (
        <p>No advisory you may read yet: it is the coordinators&apos; draft until the public date.</p>
      )}
    </Panel>
  );
}

/** Case (issue 9). */
export function CaseDetailPage({ caseId }: { caseId: string }) {
  const { state } = useSessionContext();
  const csrf = state.status === 'signed-in' ? state.session.csrfToken : null;
  const client = useMemo(() => caseApi(csrf), [csrf]);
  const [view, setView] = useState<CaseView | null>(null);
  const [error, setError] = useState<unknown>(null);

  const load = useCallback(async () => {
    try {
      setView(await client.get(caseId));
      setError(null);
    } catch (err) {
      setError(err);
    }
  }, [client, caseId]);

  // The first load shows what changed since the last visit; the visit is then recorded, so the next one starts here.
  useEffect(() => {
    let live = true;
    client.get(caseId).then(
      (v) => {
        if (!live) return;
        setView(v);
        void client.markSeen(caseId, 'statuses').catch(() => undefined);
      },
      (err) => live && setError(err),
    );
    return () => {
      live = false;
    };
  }, [client, caseId]);

  const changed = (v: CaseView | null) => {
    if (v) setView(v);
    else void load();
  };
  // A status saved here keeps the "New" markers of this visit: only what the server says has changed is refreshed.
  const statusChanged = () => {
    void client.get(caseId).then((v) => setView((old) => (old ? { ...v, statuses: { ...v.statuses, items: v.statuses.items.map((s) => ({ ...s, unread: old.statuses.items.find((o) => o.organisationId === s.organisationId)?.unread ?? false })) } } : v)));
  };

  if (error && !view) {
    const missing = error instanceof ApiError && error.status === 404;
    return (
      <>
        <Breadcrumbs parent={{ href: '/cases', label: 'Cases' }} current="Case" />
        <PageHeading>Case</PageHeading>
        {missing ? <p>This case does not exist, or you may not read it.</p> : <ErrorAlert error={error} heading="The case could not be loaded" />}
      </>
    );
  }
  if (!view) return <p role="status">Loading…</p>;

  return (
    <>
      <Breadcrumbs parent={{ href: '/cases', label: 'Cases' }} current={view.title} />
      <PageHeading>{view.title}</PageHeading>
      <p>
        <TlpTag tlp={view.label.tlp} /> {humanize(view.state)} · owned by {view.owner.name} · opened <TimeCell value={view.createdAt} />
        {view.activelyExploited && (
          <>
            {' '}
            <Tag className="bg-secondary-dark">Actively exploited</Tag>
          </>
        )}
        {view.myRoles.length > 0 && <> · you take part as {view.myRoles.map(humanize).join(', ')}</>}
      </p>
      {view.summary && <p className="ch-prewrap">{view.summary}</p>}
      <ErrorAlert error={error} heading="The case could not be refreshed" />
      <Timeline view={view} client={client} onChanged={changed} />
      <Participants view={view} client={client} onChanged={changed} />
      <StatusTable view={view} client={client} onChanged={statusChanged} />
      <Panel id="case-findings" heading="Findings">
        {view.findings.length === 0 ? (
          <p>None you may read.</p>
        ) : (
          <ul className="usa-list">
            {view.findings.map((f) => (
              <li key={f.id}>
                <AppLink href={`/findings/${f.id}`}>{f.title}</AppLink> — {f.product.purl ?? f.product.cpe ?? f.product.name ?? 'product not named'}, reported by {f.reporter.name}
                {f.aliases.length > 0 && <> ({f.aliases.join(', ')})</>}
                {f.exploitation === 'active' && <> · actively exploited</>}
              </li>
            ))}
          </ul>
        )}
      </Panel>
      <AdvisoryPanel view={view} client={client} onChanged={changed} />
      <CaseThread caseId={caseId} />
    </>
  );
}
