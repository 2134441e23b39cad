import { useState, type ChangeEvent, type FormEvent } from 'react';
import { Button, Form, Textarea } from '@trussworks/react-uswds';
import { useOrganisationNames } from '../hooks/use-organisation-names.ts';
import { api, type AffectedComponent, type AffectedPage } from '../api.ts';
import { EmptyState, ErrorAlert, Field, FocusAlert, focusFirstInvalid, formatDateTime, PageHeading, ScrollTable } from '../components/common.component.tsx';
import { AppLink } from '../router.tsx';

/** The route's own cap (5 MiB); a larger paste is refused here rather than after uploading it. */
const MAX_OSV_BYTES = 5 * 1024 * 1024;

/** What is wrong with the pasted text before the server sees it, or null. The server still validates the record. */
export function osvInputProblem(text: string): string | null {
  if (!text.trim()) return 'Paste one OSV advisory record (JSON).';
  if (new TextEncoder().encode(text).length > MAX_OSV_BYTES) return 'The record is larger than 5 MiB, the most the server accepts.';
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return `This is not valid JSON: ${err instanceof Error ? err.message : String(err)}`;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return 'Paste one OSV record: a JSON object, not a list or a value.';
  if (typeof (parsed as { id?: unknown }).id !== 'string') return 'An OSV record has an "id" field (for example GHSA-xxxx-xxxx-xxxx); this one has none.';
  return null;
}

export interface InventoryGroup {
  inventoryId: string;
  inventoryName: string;
  rows: AffectedComponent[];
}

/** Affected components by organisation, then inventory, in the order the server sent them. */
export function groupAffected(affected: AffectedComponent[]): { organisationId: string; inventories: InventoryGroup[] }[] {
  const orgs = new Map<string, Map<string, InventoryGroup>>();
  for (const row of affected) {
    let invs = orgs.get(row.organisationId);
    if (!invs) orgs.set(row.organisationId, (invs = new Map()));
    let group = invs.get(row.inventoryId);
    if (!group) invs.set(row.inventoryId, (group = { inventoryId: row.inventoryId, inventoryName: row.inventoryName, rows: [] }));
    group.rows.push(row);
  }
  return [...orgs].map(([organisationId, invs]) => ({ organisationId, inventories: [...invs.values()] }));
}

function Results({ report, loadingMore, onLoadMore }: { report: AffectedPage; loadingMore: boolean; onLoadMore: () => void }) {
  const groups = groupAffected(report.affected);
  const orgName = useOrganisationNames(groups.map((g) => g.organisationId));
  const { advisory } = report;
  const inventoryCount = groups.reduce((n, g) => n + g.inventories.length, 0);
  const more = Boolean(report.nextCursor);
  return (
    <section aria-labelledby="result-heading" data-testid="affected-results">
      <h2 id="result-heading">
        {advisory.id}
        {advisory.summary ? `: ${advisory.summary}` : ''}
      </h2>
      <dl className="ch-facts">
        <dt>Aliases</dt>
        <dd>{advisory.aliases.length > 0 ? advisory.aliases.join(', ') : 'None'}</dd>
        <dt>Modified</dt>
        <dd>{advisory.modified ? formatDateTime(advisory.modified) : 'Not given'}</dd>
        {advisory.withdrawn && (
          <>
            <dt>Withdrawn</dt>
            <dd>{formatDateTime(advisory.withdrawn)}: a withdrawn advisory affects nothing.</dd>
          </>
        )}
      </dl>
      {report.problems.length > 0 && (
        <FocusAlert type="warning" heading="Parts of this advisory could not be evaluated" focusKey={report} testId="affected-problems">
          <p className="margin-top-1">Components these parts concern may be affected but are not listed.</p>
          <ul className="usa-list">
            {report.problems.map((p, i) => (
              <li key={`${i}-${p}`}>{p}</li>
            ))}
          </ul>
        </FocusAlert>
      )}
      {report.affected.length === 0 ? (
        <EmptyState>
          <p data-testid="affected-none">
            <strong>No affected components</strong> in the inventories you can read.
          </p>
          <p>
            This covers only components the clearinghouse could check: each inventory lists, under “What could not be
            checked”, the components without a package identity. Inventories you may not read are not searched.
          </p>
        </EmptyState>
      ) : (
        <p role="status" data-testid="affected-summary">
          {report.affected.length} affected {report.affected.length === 1 ? 'component' : 'components'}
          {more ? ' so far' : ''} in {inventoryCount}{' '}
          {inventoryCount === 1 ? 'inventory' : 'inventories'} of {groups.length} {groups.length === 1 ? 'organisation' : 'organisations'}.
        </p>
      )}
      {groups.map((g) => (
        <section key={g.organisationId} className="ch-group" aria-label={orgName(g.organisationId) ?? g.organisationId} data-testid="affected-organisation">
          <h3>
            <AppLink href={`/organisations/${encodeURIComponent(g.organisationId)}`}>{orgName(g.organisationId) ?? g.organisationId}</AppLink>
          </h3>
          {g.inventories.map((inv) => (
            <div key={inv.inventoryId}>
              <h4>
                Inventory <AppLink href={`/inventories/${encodeURIComponent(inv.inventoryId)}`}>{inv.inventoryName}</AppLink>
              </h4>
              <ScrollTable caption={`Affected components in ${inv.inventoryName}`}>
                <thead>
                  <tr>
                    <th scope="col">Package</th>
                    <th scope="col">Installed</th>
                    <th scope="col">Fixed in</th>
                    <th scope="col">Ecosystem</th>
                    <th scope="col">Package URL</th>
                  </tr>
                </thead>
                <tbody>
                  {inv.rows.map((r, i) => (
                    <tr key={`${r.component.purl}-${i}`}>
                      <th scope="row">{r.component.name}</th>
                      <td className="ch-nowrap">{r.component.version}</td>
                      <td className="ch-nowrap">{r.fixed ?? 'No fix named'}</td>
                      <td>{r.component.ecosystem}</td>
                      <td className="ch-purl">{r.component.purl}</td>
                    </tr>
                  ))}
                </tbody>
              </ScrollTable>
            </div>
          ))}
        </section>
      ))}
      {more && (
        <Button type="button" outline onClick={onLoadMore} disabled={loadingMore}>
          {loadingMore ? 'Loading…' : 'Load more'}
        </Button>
      )}
    </section>
  );
}

export function AffectedPage() {
  const [text, setText] = useState('');
  const [inputProblem, setInputProblem] = useState<string | null>(null);
  // The text the shown report answers, so "Load more" pages the same advisory even if the box was edited since.
  const [asked, setAsked] = useState('');
  const [report, setReport] = useState<AffectedPage | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const problem = osvInputProblem(text);
    setInputProblem(problem);
    if (problem) return focusFirstInvalid(event.currentTarget);
    setBusy(true);
    setError(null);
    setReport(null);
    try {
      setReport(await api.affectedBy(text));
      setAsked(text);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const loadMore = async () => {
    if (!report?.nextCursor) return;
    setBusy(true);
    setError(null);
    try {
      const next = await api.affectedBy(asked, { cursor: report.nextCursor });
      setReport({ ...next, affected: [...report.affected, ...next.affected], problems: [...new Set([...report.problems, ...next.problems])] });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <PageHeading>Affected components</PageHeading>
      <p>
        Paste an advisory in the <a href="https://ossf.github.io/osv-schema/">OSV format</a> to find which components,
        in the <AppLink href="/inventories">inventories</AppLink> you can read, it affects, and the version that fixes
        each. Nothing you paste is stored.
      </p>
      <Form onSubmit={submit} large noValidate className="maxw-none">
        <Field id="osv-record" label="OSV record (JSON)" hint="One record, as published by OSV.dev, GitHub or a distribution." error={inputProblem}>
          {(control, invalid) => (
            <Textarea
              {...control}
              error={invalid}
              className="ch-osv-input"
              name="osv"
              spellCheck={false}
              value={text}
              onChange={(e: ChangeEvent<HTMLTextAreaElement>) => setText(e.target.value)}
            />
          )}
        </Field>
        <Button type="submit" disabled={busy} className="margin-top-2">
          {busy && !report ? 'Checking…' : 'Find affected components'}
        </Button>
      </Form>
      <ErrorAlert error={error} heading="The advisory could not be checked" />
      {report && <Results report={report} loadingMore={busy} onLoadMore={() => void loadMore()} />}
    </>
  );
}
