import { useCallback, useEffect, useMemo, useState, type ChangeEvent } from 'react';
import { Button, Select, Textarea } from '@trussworks/react-uswds';
import { api, ApiError, errorMessage, type AffectedPage } from '../api.ts';
import { advisoryApi, type AdvisoryApi, type AdvisoryView, type FieldChange, type RevisionSummary } from '../api-advisories.ts';
import { affectedRows, diffValue } from '../advisory-form.ts';
import { Breadcrumbs, ConfirmDialog, EmptyState, ErrorAlert, Field, FocusAlert, PageHeading, ScrollTable, TimeCell } from '../components/common.component.tsx';
import { humanize, TlpTag } from '../components/labels.component.tsx';
import { RatingTag } from '../components/cvss-calculator.component.tsx';
import { AppLink } from '../router.tsx';
import { useSessionContext } from '../session.context.tsx';
import type { Session } from '../api.ts';

/** Whether to offer writes: members of the owning organisation and site administrators (the server decides). */
export function mayWrite(session: Session | null, advisory: AdvisoryView): boolean {
  if (!session) return false;
  return session.user.siteAdmin || session.memberships.some((m) => m.organisationId === advisory.organisationId);
}

function problemText(error: unknown): unknown {
  if (error instanceof ApiError && error.status === 412)
    return new Error(`${error.problem.detail ?? 'The advisory changed since you opened it.'} Reload the page to see the new version, then try again.`);
  return error;
}

function AffectedTable({ advisory }: { advisory: AdvisoryView }) {
  const rows = affectedRows(advisory.record);
  if (rows.length === 0) return <p>The record names no affected packages.</p>;
  return (
    <ScrollTable caption="Affected packages, their ranges and fixes" testId="advisory-affected">
      <thead>
        <tr>
          <th scope="col">Package</th>
          <th scope="col">Ecosystem</th>
          <th scope="col">Ranges (introduced → fixed / last affected)</th>
          <th scope="col">Versions listed</th>
          <th scope="col">Fixed in</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r, i) => (
          <tr key={`${r.ecosystem}-${r.name}-${i}`}>
            <th scope="row">{r.name || '—'}</th>
            <td>{r.ecosystem || '—'}</td>
            <td>
              {r.ranges.length === 0
                ? '—'
                : r.ranges.map((range, j) => (
                    <div key={j} className="ch-nowrap">
                      {range.type}: {range.introduced.join(', ') || '?'} → {range.fixed.length > 0 ? `fixed ${range.fixed.join(', ')}` : range.lastAffected.length > 0 ? `last affected ${range.lastAffected.join(', ')}` : 'no fix'}
                    </div>
                  ))}
            </td>
            <td>{r.versionCount}</td>
            <td className="ch-nowrap">{r.fixedVersion ?? 'No fix named'}</td>
          </tr>
        ))}
      </tbody>
    </ScrollTable>
  );
}

function Revisions({ client, advisory }: { client: AdvisoryApi; advisory: AdvisoryView }) {
  const [items, setItems] = useState<RevisionSummary[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [from, setFrom] = useState<number | null>(null);
  const [to, setTo] = useState<number | null>(null);
  const [changes, setChanges] = useState<FieldChange[] | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    client.revisions(advisory.id).then(
      (r) => {
        if (!live) return;
        setItems(r.items);
        const sorted = r.items.map((x) => x.revision).sort((a, b) => a - b);
        setTo(sorted[sorted.length - 1] ?? null);
        setFrom(sorted[sorted.length - 2] ?? sorted[0] ?? null);
      },
      (err) => live && setError(err),
    );
    return () => {
      live = false;
    };
  }, [client, advisory.id, advisory.revision]);

  const compare = async () => {
    if (from === null || to === null) return;
    setBusy(true);
    setError(null);
    try {
      setChanges((await client.diff(advisory.id, from, to)).changes);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  if (error && !items) return <ErrorAlert error={error} heading="The revision history could not be loaded" />;
  if (!items) return <p role="status">Loading…</p>;
  if (items.length === 0) return <p>No revisions yet: the first is made when the advisory is published.</p>;
  const choice = (id: string, label: string, value: number | null, set: (n: number) => void) => (
    <Field id={id} label={label}>
      {(control) => (
        <Select {...control} name={id} value={value ?? ''} onChange={(e: ChangeEvent<HTMLSelectElement>) => set(Number(e.target.value))}>
          {items.map((r) => (
            <option key={r.revision} value={r.revision}>
              Revision {r.revision}
            </option>
          ))}
        </Select>
      )}
    </Field>
  );
  return (
    <>
      <ScrollTable caption="Revisions" testId="advisory-revisions">
        <thead>
          <tr>
            <th scope="col">Revision</th>
            <th scope="col">Modified</th>
            <th scope="col">Summary</th>
          </tr>
        </thead>
        <tbody>
          {items.map((r) => (
            <tr key={r.revision}>
              <th scope="row">{r.revision}</th>
              <td>
                <TimeCell value={r.modified} />
              </td>
              <td>{r.summary ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </ScrollTable>
      {items.length > 1 && (
        <div className="grid-row grid-gap">
          <div className="tablet:grid-col-3">{choice('diff-from', 'Compare revision', from, setFrom)}</div>
          <div className="tablet:grid-col-3">{choice('diff-to', 'with revision', to, setTo)}</div>
          <div className="tablet:grid-col-3 margin-top-4">
            <Button type="button" outline disabled={busy || from === null || to === null} onClick={() => void compare()}>
              {busy ? 'Comparing…' : 'Show changes'}
            </Button>
          </div>
        </div>
      )}
      <ErrorAlert error={error} heading="The changes could not be loaded" />
      {changes &&
        (changes.length === 0 ? (
          <p data-testid="advisory-diff">These revisions do not differ.</p>
        ) : (
          <ScrollTable caption={`Changes from revision ${from} to ${to}`} testId="advisory-diff">
            <thead>
              <tr>
                <th scope="col">Field (JSON Pointer)</th>
                <th scope="col">Change</th>
                <th scope="col">Before</th>
                <th scope="col">After</th>
              </tr>
            </thead>
            <tbody>
              {changes.map((c, i) => (
                <tr key={`${c.path}-${i}`}>
                  <th scope="row" className="ch-purl">
                    {c.path}
                  </th>
                  <td>{humanize(c.kind)}</td>
                  <td className="ch-purl">{diffValue(c.before)}</td>
                  <td className="ch-purl">{diffValue(c.after)}</td>
                </tr>
              ))}
            </tbody>
          </ScrollTable>
        ))}
    </>
  );
}

/** The reader's inventories this advisory affects, via the reverse query (POST /advisories/affected). */
function AffectedInventories({ advisory }: { advisory: AdvisoryView }) {
  const [report, setReport] = useState<AffectedPage | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const text = useMemo(() => JSON.stringify(advisory.record), [advisory.record]);

  const load = useCallback(
    async (cursor: string | null) => {
      setBusy(true);
      setError(null);
      try {
        const page = await api.affectedBy(text, { cursor });
        setReport((prev) => (cursor && prev ? { ...page, affected: [...prev.affected, ...page.affected], problems: [...new Set([...prev.problems, ...page.problems])] } : page));
      } catch (err) {
        setError(err);
      } finally {
        setBusy(false);
      }
    },
    [text],
  );
  useEffect(() => {
    void load(null);
  }, [load]);

  if (error && !report) return <ErrorAlert error={error} heading="The affected inventories could not be found" />;
  if (!report) return <p role="status">Checking your inventories…</p>;
  return (
    <>
      {report.problems.length > 0 && (
        <ul className="usa-list" data-testid="advisory-affected-problems">
          {report.problems.map((p, i) => (
            <li key={`${i}-${p}`}>{p}</li>
          ))}
        </ul>
      )}
      {report.affected.length === 0 ? (
        <EmptyState>
          <p data-testid="advisory-affects-none">
            <strong>No affected components</strong> in the inventories you can read.
          </p>
        </EmptyState>
      ) : (
        <ScrollTable caption="Components in your inventories this advisory affects" testId="advisory-affects">
          <thead>
            <tr>
              <th scope="col">Inventory</th>
              <th scope="col">Package</th>
              <th scope="col">Installed</th>
              <th scope="col">Fixed in</th>
            </tr>
          </thead>
          <tbody>
            {report.affected.map((r, i) => (
              <tr key={`${r.inventoryId}-${r.component.purl}-${i}`}>
                <th scope="row">
                  <AppLink href={`/inventories/${encodeURIComponent(r.inventoryId)}`}>{r.inventoryName}</AppLink>
                </th>
                <td className="ch-purl">{r.component.purl}</td>
                <td className="ch-nowrap">{r.component.version}</td>
                <td className="ch-nowrap">{r.fixed ?? 'No fix named'}</td>
              </tr>
            ))}
          </tbody>
        </ScrollTable>
      )}
      {report.nextCursor && (
        <Button type="button" outline disabled={busy} onClick={() => void load(report.nextCursor ?? null)}>
          {busy ? 'Loading…' : 'Load more'}
        </Button>
      )}
    </>
  );
}

export function AdvisoryDetailPage({ advisoryId }: { advisoryId: string }) {
  const { state } = useSessionContext();
  const session = state.status === 'signed-in' ? state.session : null;
  const client = useMemo(() => advisoryApi(session?.csrfToken ?? null), [session?.csrfToken]);
  const [advisory, setAdvisory] = useState<AdvisoryView | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<'publish' | 'withdraw' | null>(null);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    client.get(advisoryId).then(
      (a) => live && setAdvisory(a),
      (err) => live && setLoadError(err),
    );
    return () => {
      live = false;
    };
  }, [client, advisoryId]);

  const act = async (what: 'publish' | 'withdraw') => {
    if (!advisory) return;
    setConfirm(null);
    setBusy(true);
    setActionError(null);
    setNotice(null);
    try {
      const next = what === 'publish' ? await client.publish(advisory.id, advisory.version) : await client.withdraw(advisory.id, advisory.version, reason.trim().slice(0, 1000) || undefined);
      setAdvisory(next);
      setNotice(what === 'publish' ? `${next.id} has been published (revision ${next.revision}).` : `${next.id} has been withdrawn.`);
    } catch (err) {
      setActionError(problemText(err));
    } finally {
      setBusy(false);
    }
  };

  if (loadError) {
    const missing = loadError instanceof ApiError && (loadError.status === 404 || loadError.status === 403);
    return (
      <>
        <Breadcrumbs parent={{ href: '/advisories', label: 'Advisories' }} current={advisoryId} />
        <PageHeading>{missing ? 'Advisory not found' : 'The advisory could not be loaded'}</PageHeading>
        <p data-testid="advisory-missing">
          {missing
            ? `There is no advisory ${advisoryId} that you may read. It may not exist, not be published yet, or be shared with others only.${session ? '' : ' Sign in to see advisories shared with your organisation.'}`
            : errorMessage(loadError)}
        </p>
        <AppLink href="/advisories">All advisories</AppLink>
      </>
    );
  }
  if (!advisory)
    return (
      <p role="status" className="margin-top-4">
        Loading…
      </p>
    );

  const { record } = advisory;
  const writable = mayWrite(session, advisory);
  return (
    <>
      <Breadcrumbs parent={{ href: '/advisories', label: 'Advisories' }} current={advisory.id} />
      <PageHeading>{advisory.id}</PageHeading>
      {record.summary && <p className="usa-intro">{record.summary}</p>}
      {notice && (
        <FocusAlert type="success" focusKey={notice} testId="advisory-notice">
          {notice}
        </FocusAlert>
      )}
      <ErrorAlert error={actionError} heading="The advisory was not changed" />
      <dl className="ch-facts">
        <dt>State</dt>
        <dd data-testid="advisory-state">{humanize(advisory.state)}</dd>
        <dt>Severity</dt>
        <dd>
          <RatingTag rating={advisory.rating} />
        </dd>
        <dt>Label</dt>
        <dd>
          <TlpTag tlp={advisory.label.tlp} />
          {advisory.label.embargoUntil && (
            <>
              {' '}
              embargoed until <TimeCell value={advisory.label.embargoUntil} />
            </>
          )}
          {advisory.label.restricted && ` · need-to-know role ${advisory.label.restricted}`}
          {advisory.label.sharedWith.length > 0 && ` · shared with ${advisory.label.sharedWith.length} more ${advisory.label.sharedWith.length === 1 ? 'organisation' : 'organisations'}`}
        </dd>
        <dt>Owner</dt>
        <dd>
          {session ? <AppLink href={`/organisations/${encodeURIComponent(advisory.organisationId)}`}>{advisory.organisationName}</AppLink> : advisory.organisationName}
          {advisory.source === 'imported' ? ' (mirrored from an upstream database)' : ''}
        </dd>
        <dt>Aliases</dt>
        <dd>{record.aliases && record.aliases.length > 0 ? record.aliases.join(', ') : 'None'}</dd>
        <dt>Published</dt>
        <dd>
          <TimeCell value={record.published ?? advisory.publishedAt} empty="Not yet" />
        </dd>
        <dt>Modified</dt>
        <dd>
          <TimeCell value={record.modified} />
        </dd>
        {(record.withdrawn ?? advisory.withdrawnAt) && (
          <>
            <dt>Withdrawn</dt>
            <dd>
              <TimeCell value={record.withdrawn ?? advisory.withdrawnAt} />
            </dd>
          </>
        )}
        <dt>Revision</dt>
        <dd>{advisory.revision === 0 ? 'Draft (not published)' : advisory.revision}</dd>
      </dl>
      {writable && (
        <div className="margin-y-2" data-testid="advisory-actions">
          {advisory.source === 'authored' && advisory.state !== 'withdrawn' && (
            <AppLink href={`/advisories/${encodeURIComponent(advisory.id)}/edit`} className="usa-button usa-button--outline">
              Edit advisory
            </AppLink>
          )}
          {advisory.state === 'draft' && (
            <Button type="button" disabled={busy} onClick={() => setConfirm('publish')}>
              Publish
            </Button>
          )}
          {advisory.state === 'published' && (
            <Button type="button" secondary disabled={busy} onClick={() => setConfirm('withdraw')}>
              Withdraw
            </Button>
          )}
        </div>
      )}
      {advisory.state === 'draft' && (
        <ConfirmDialog open={confirm === 'publish'} heading="Publish this advisory?" confirmLabel="Publish advisory" onConfirm={() => void act('publish')} onCancel={() => setConfirm(null)}>
          <p>
            Everyone its label allows (TLP:{advisory.label.tlp}
            {advisory.label.embargoUntil ? ', after the embargo' : ''}) will be able to read it, and it goes out through the feeds. Later changes make new revisions.
          </p>
        </ConfirmDialog>
      )}
      {advisory.state === 'published' && (
        <ConfirmDialog open={confirm === 'withdraw'} heading="Withdraw this advisory?" confirmLabel="Withdraw advisory" onConfirm={() => void act('withdraw')} onCancel={() => setConfirm(null)}>
          <p>A withdrawn advisory stays readable but affects nothing. Say why, for those who relied on it.</p>
          <Field id="withdraw-reason" label="Reason (optional)">
            {(control) => <Textarea {...control} name="reason" maxLength={1000} value={reason} onChange={(e: ChangeEvent<HTMLTextAreaElement>) => setReason(e.target.value)} />}
          </Field>
        </ConfirmDialog>
      )}

      {record.details && (
        <section aria-labelledby="details-heading">
          <h2 id="details-heading">Details</h2>
          <div className="ch-advisory-details" style={{ whiteSpace: 'pre-wrap' }}>
            {record.details}
          </div>
        </section>
      )}

      <section aria-labelledby="affected-heading">
        <h2 id="affected-heading">Affected packages</h2>
        <AffectedTable advisory={advisory} />
      </section>

      <section aria-labelledby="severity-heading">
        <h2 id="severity-heading">Severity</h2>
        {advisory.severity.length === 0 ? (
          <p>The record gives no CVSS vector.</p>
        ) : (
          <ScrollTable caption="CVSS vectors and their scores" testId="advisory-severity">
            <thead>
              <tr>
                <th scope="col">Vector</th>
                <th scope="col">Version</th>
                <th scope="col">Score</th>
                <th scope="col">Rating</th>
              </tr>
            </thead>
            <tbody>
              {advisory.severity.map((s) => (
                <tr key={s.vector}>
                  <th scope="row" className="ch-purl">
                    {s.vector}
                  </th>
                  <td>CVSS {s.version}</td>
                  <td>{s.score.toFixed(1)}</td>
                  <td>
                    <RatingTag rating={s.rating} />
                  </td>
                </tr>
              ))}
            </tbody>
          </ScrollTable>
        )}
      </section>

      <section aria-labelledby="references-heading">
        <h2 id="references-heading">References</h2>
        {record.references && record.references.length > 0 ? (
          <ul className="usa-list" data-testid="advisory-references">
            {record.references.map((r, i) => (
              <li key={`${r.url}-${i}`}>
                {humanize(r.type.toLowerCase())}:{' '}
                {/^https?:\/\//i.test(r.url) ? (
                  <a href={r.url} rel="noopener noreferrer nofollow">
                    {r.url}
                  </a>
                ) : (
                  r.url
                )}
              </li>
            ))}
          </ul>
        ) : (
          <p>None.</p>
        )}
      </section>

      {record.credits && record.credits.length > 0 && (
        <section aria-labelledby="credits-heading">
          <h2 id="credits-heading">Credits</h2>
          <ul className="usa-list" data-testid="advisory-credits">
            {record.credits.map((c, i) => (
              <li key={`${c.name}-${i}`}>
                {c.name}
                {c.type ? ` (${humanize(c.type.toLowerCase().replace(/_/g, '-'))})` : ''}
              </li>
            ))}
          </ul>
        </section>
      )}

      <section aria-labelledby="revisions-heading">
        <h2 id="revisions-heading">Revision history</h2>
        <Revisions client={client} advisory={advisory} />
      </section>

      {session && (
        <section aria-labelledby="inventories-heading">
          <h2 id="inventories-heading">Inventories it affects</h2>
          <AffectedInventories advisory={advisory} />
        </section>
      )}
    </>
  );
}
