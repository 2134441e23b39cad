import { useCallback, useEffect, useMemo, useState, type ChangeEvent, type FormEvent } from 'react';
import { Button, Form, Select, TextInput } from '@trussworks/react-uswds';
import { SECTORS, type Sector } from '../api.ts';
import { triageApi, type QueueQuery, type TriageState } from '../api-triage.ts';
import { TRIAGE_STATES } from '../../../src/domain/triage/triage-states.ts';
import { EmptyState, ErrorAlert, Field, LoadMore, PageHeading, ScrollTable, TimeCell } from '../components/common.component.tsx';
import { CvssText, ExploitationText, SsvcTag, ssvcOf } from '../components/finding-triage.component.tsx';
import { humanize } from '../components/labels.component.tsx';
import { usePagedList } from '../hooks/use-paged-list.ts';
import { AppLink } from '../router.tsx';
import { useSessionContext } from '../session.context.tsx';

const PAGE_SIZE = 50;

type Filters = { state: TriageState | ''; sector: Sector | ''; product: string; reporter: string; q: string };
const NONE: Filters = { state: '', sector: '', product: '', reporter: '', q: '' };

/** "3 days", "5 hours": how long a finding has waited, beside its date. */
function age(createdAt: string, now: number): string {
  const minutes = Math.max(0, Math.floor((now - Date.parse(createdAt)) / 60_000));
  const [n, unit] = minutes >= 2880 ? [Math.floor(minutes / 1440), 'day'] : minutes >= 120 ? [Math.floor(minutes / 60), 'hour'] : [minutes, 'minute'];
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

function productText(p: { purl: string | null; cpe: string | null; name: string | null; organisationName: string | null }): string {
  return p.purl ?? p.name ?? p.cpe ?? '—';
}

/** The findings the user may read, as the triage queue: SSVC decision, exploitation, CVSS, then age. */
export function TriagePage() {
  const { state } = useSessionContext();
  const session = state.status === 'signed-in' ? state.session : null;
  const client = useMemo(() => triageApi(session?.csrfToken ?? null), [session?.csrfToken]);
  const [typed, setTyped] = useState<Filters>(NONE);
  // The filters applied: the list reloads on "Filter", not on every keystroke.
  const [applied, setApplied] = useState<Filters>(NONE);
  const fetchPage = useCallback((cursor: string | null) => client.queue({ ...(applied as QueueQuery), limit: PAGE_SIZE, cursor }), [client, applied]);
  const { items, cursor, loading, error, loadMore } = usePagedList(fetchPage);
  // Reporter organisations to filter by: the user's own and every one the queue has shown so far (the directory of
  // organisations is not everyone's to read, so it is not asked).
  const [reporters, setReporters] = useState<Map<string, string>>(() => new Map((session?.memberships ?? []).map((m) => [m.organisationId, m.organisationName])));
  useEffect(() => {
    setReporters((known) => {
      const fresh = items.filter((f) => !known.has(f.reporter.organisationId));
      return fresh.length ? new Map([...known, ...fresh.map((f) => [f.reporter.organisationId, f.reporter.organisationName] as const)]) : known;
    });
  }, [items]);
  const now = Date.now();

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setApplied({ ...typed, product: typed.product.slice(0, 200), q: typed.q.slice(0, 200) });
  };
  const filtered = Object.values(applied).some(Boolean);

  return (
    <>
      <PageHeading>Findings</PageHeading>
      <p>
        The triage queue: every finding you may read, the most urgent first (SSVC decision, then known exploitation,
        then CVSS score, then the oldest).
      </p>
      <p>
        <AppLink href="/findings/new" className="usa-button usa-button--outline">
          Report findings
        </AppLink>
      </p>
      <Form onSubmit={submit} className="maxw-none ch-filters" noValidate data-testid="queue-filters">
        <div className="grid-row grid-gap">
          <div className="tablet:grid-col-3">
            <Field id="queue-q" label="Search" hint="Title, product, alias (CVE-…) or CWE.">
              {(control) => <TextInput {...control} type="search" name="q" maxLength={200} value={typed.q} onChange={(e: ChangeEvent<HTMLInputElement>) => setTyped({ ...typed, q: e.target.value })} />}
            </Field>
          </div>
          <div className="tablet:grid-col-2">
            <Field id="queue-state" label="State">
              {(control) => (
                <Select {...control} name="state" value={typed.state} onChange={(e: ChangeEvent<HTMLSelectElement>) => setTyped({ ...typed, state: e.target.value as TriageState | '' })}>
                  <option value="">Any</option>
                  {TRIAGE_STATES.map((s) => (
                    <option key={s} value={s}>
                      {humanize(s)}
                    </option>
                  ))}
                </Select>
              )}
            </Field>
          </div>
          <div className="tablet:grid-col-2">
            <Field id="queue-sector" label="Sector">
              {(control) => (
                <Select {...control} name="sector" value={typed.sector} onChange={(e: ChangeEvent<HTMLSelectElement>) => setTyped({ ...typed, sector: e.target.value as Sector | '' })}>
                  <option value="">Any</option>
                  {SECTORS.map((s) => (
                    <option key={s} value={s}>
                      {humanize(s)}
                    </option>
                  ))}
                </Select>
              )}
            </Field>
          </div>
          <div className="tablet:grid-col-3">
            <Field id="queue-product" label="Product" hint="A purl or CPE prefix (pkg:npm/…, cpe:2.3:a:…), or part of a product name.">
              {(control) => <TextInput {...control} type="text" name="product" maxLength={200} value={typed.product} onChange={(e: ChangeEvent<HTMLInputElement>) => setTyped({ ...typed, product: e.target.value })} />}
            </Field>
          </div>
          <div className="tablet:grid-col-2">
            <Field id="queue-reporter" label="Reporter">
              {(control) => (
                <Select {...control} name="reporter" value={typed.reporter} onChange={(e: ChangeEvent<HTMLSelectElement>) => setTyped({ ...typed, reporter: e.target.value })}>
                  <option value="">Any</option>
                  {[...reporters].sort((a, b) => a[1].localeCompare(b[1])).map(([id, name]) => (
                    <option key={id} value={id}>
                      {name}
                    </option>
                  ))}
                </Select>
              )}
            </Field>
          </div>
        </div>
        <Button type="submit" className="margin-top-2">
          Filter
        </Button>
        {filtered && (
          <Button type="button" unstyled className="margin-left-2" onClick={() => { setTyped(NONE); setApplied(NONE); }}>
            Clear filters
          </Button>
        )}
      </Form>
      <ErrorAlert error={error} heading="The findings could not be loaded" />
      {!loading && !error && items.length === 0 ? (
        <EmptyState>
          <p data-testid="queue-none">
            <strong>{filtered ? 'No finding matches these filters.' : 'No findings yet.'}</strong>
          </p>
          {filtered ? (
            <p>Clear a filter to see more of the queue.</p>
          ) : (
            <p>
              Findings arrive from scanners and researchers. <AppLink href="/findings/new">Report findings</AppLink> by form or by uploading SARIF, OSV,
              CSAF or AVID documents.
            </p>
          )}
        </EmptyState>
      ) : (
        <ScrollTable caption="Findings, most urgent first" testId="queue-table">
          <thead>
            <tr>
              <th scope="col">Finding</th>
              <th scope="col">Product</th>
              <th scope="col">State</th>
              <th scope="col">SSVC</th>
              <th scope="col">Exploitation</th>
              <th scope="col">CVSS</th>
              <th scope="col">Reporter</th>
              <th scope="col">Age</th>
            </tr>
          </thead>
          <tbody>
            {items.map((f) => (
              <tr key={f.id} data-finding={f.id}>
                <th scope="row">
                  <AppLink href={`/findings/${encodeURIComponent(f.id)}`}>{f.title}</AppLink>
                  {f.aliases.length > 0 && <div className="font-sans-3xs text-base">{f.aliases.slice(0, 3).join(', ')}</div>}
                </th>
                <td>
                  {/* Identifiers in the monospace, breakable style; a product's name as text. */}
                  {f.product.purl || (!f.product.name && f.product.cpe) ? <span className="ch-purl">{productText(f.product)}</span> : productText(f.product)}
                  {f.product.organisationName && <div className="font-sans-3xs text-base">{f.product.organisationName}</div>}
                </td>
                <td className="ch-nowrap">{humanize(f.state)}</td>
                <td className="ch-nowrap">
                  <SsvcTag decision={ssvcOf(f)?.decision} />
                </td>
                <td>
                  <ExploitationText finding={f} />
                </td>
                <td>
                  <CvssText finding={f} />
                </td>
                <td>
                  {f.reporter.organisationName}
                  {f.reports > 1 && <div className="font-sans-3xs text-base">{f.reports} reports</div>}
                </td>
                <td className="ch-nowrap">
                  {age(f.createdAt, now)}
                  <div className="font-sans-3xs">
                    <TimeCell value={f.createdAt} />
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </ScrollTable>
      )}
      {loading && <p role="status">Loading…</p>}
      <LoadMore cursor={cursor} loading={loading} onLoad={loadMore} />
    </>
  );
}
