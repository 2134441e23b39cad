import { useCallback, useMemo, useState, type ChangeEvent, type FormEvent } from 'react';
import { Button, Form, Select, TextInput } from '@trussworks/react-uswds';
import { usePagedList } from '../hooks/use-paged-list.ts';
import { ADVISORY_STATES, advisoryApi, RATINGS, type AdvisoryQuery, type AdvisoryState, type Rating } from '../api-advisories.ts';
import { COMMON_ECOSYSTEMS } from '../advisory-form.ts';
import { EmptyState, ErrorAlert, Field, LoadMore, PageHeading, ScrollTable, TimeCell } from '../components/common.component.tsx';
import { humanize, TlpTag } from '../components/labels.component.tsx';
import { RatingTag } from '../components/cvss-calculator.component.tsx';
import { AppLink } from '../router.tsx';
import { useSessionContext } from '../session.context.tsx';

const PAGE_SIZE = 50;

export function AdvisoriesPage() {
  const { state } = useSessionContext();
  const session = state.status === 'signed-in' ? state.session : null;
  const client = useMemo(() => advisoryApi(session?.csrfToken ?? null), [session?.csrfToken]);
  const [typed, setTyped] = useState<Required<Pick<AdvisoryQuery, 'q' | 'ecosystem'>> & { state: AdvisoryState | ''; severity: Rating | '' }>({ q: '', ecosystem: '', state: '', severity: '' });
  // The filters applied: the list reloads on "Search", not on every keystroke.
  const [applied, setApplied] = useState(typed);
  const fetchPage = useCallback((cursor: string | null) => client.list({ ...applied, limit: PAGE_SIZE, cursor }), [client, applied]);
  const { items, cursor, loading, error, loadMore } = usePagedList(fetchPage);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setApplied({ ...typed, q: typed.q.slice(0, 200), ecosystem: typed.ecosystem.slice(0, 100) });
  };
  const filtered = Boolean(applied.q || applied.ecosystem || applied.state || applied.severity);

  return (
    <>
      <PageHeading>Advisories</PageHeading>
      <p>
        Vulnerability advisories in the <a href="https://ossf.github.io/osv-schema/">OSV format</a>: those your
        organisations author and those mirrored in from public databases{session ? ', as far as you may read them' : ' that are published for everyone (TLP:CLEAR)'}.
      </p>
      {session && session.memberships.length > 0 && (
        <p>
          <AppLink href="/advisories/new" className="usa-button">
            New advisory
          </AppLink>
        </p>
      )}
      <Form onSubmit={submit} className="maxw-none ch-filters" noValidate>
        <div className="grid-row grid-gap">
          <div className="tablet:grid-col-4">
            <Field id="advisory-q" label="Search" hint="An id, alias (CVE-…), package name or words of the text.">
              {(control) => <TextInput {...control} type="search" name="q" maxLength={200} value={typed.q} onChange={(e: ChangeEvent<HTMLInputElement>) => setTyped({ ...typed, q: e.target.value })} />}
            </Field>
          </div>
          <div className="tablet:grid-col-3">
            <Field id="advisory-ecosystem" label="Ecosystem">
              {(control) => (
                <>
                  <TextInput {...control} type="text" name="ecosystem" list="advisory-ecosystems" maxLength={100} value={typed.ecosystem} onChange={(e: ChangeEvent<HTMLInputElement>) => setTyped({ ...typed, ecosystem: e.target.value })} />
                  <datalist id="advisory-ecosystems">
                    {COMMON_ECOSYSTEMS.map((e) => (
                      <option key={e} value={e} />
                    ))}
                  </datalist>
                </>
              )}
            </Field>
          </div>
          <div className="tablet:grid-col-2">
            <Field id="advisory-severity" label="Severity">
              {(control) => (
                <Select {...control} name="severity" value={typed.severity} onChange={(e: ChangeEvent<HTMLSelectElement>) => setTyped({ ...typed, severity: e.target.value as Rating | '' })}>
                  <option value="">Any</option>
                  {RATINGS.map((r) => (
                    <option key={r} value={r}>
                      {humanize(r)}
                    </option>
                  ))}
                </Select>
              )}
            </Field>
          </div>
          <div className="tablet:grid-col-2">
            <Field id="advisory-state" label="State">
              {(control) => (
                <Select {...control} name="state" value={typed.state} onChange={(e: ChangeEvent<HTMLSelectElement>) => setTyped({ ...typed, state: e.target.value as AdvisoryState | '' })}>
                  <option value="">Any</option>
                  {ADVISORY_STATES.map((s) => (
                    <option key={s} value={s}>
                      {humanize(s)}
                    </option>
                  ))}
                </Select>
              )}
            </Field>
          </div>
        </div>
        <Button type="submit" className="margin-top-2">
          Search
        </Button>
      </Form>
      <ErrorAlert error={error} heading="The advisories could not be loaded" />
      {!loading && !error && items.length === 0 ? (
        <EmptyState>
          <p data-testid="advisories-none">
            <strong>{filtered ? 'No advisory matches these filters.' : 'No advisories yet.'}</strong>
          </p>
          {!filtered && session && <p>Write one with “New advisory”, or ask a site administrator to import a public database.</p>}
        </EmptyState>
      ) : (
        <ScrollTable caption="Advisories" testId="advisories-table">
          <thead>
            <tr>
              <th scope="col">Advisory</th>
              <th scope="col">Summary</th>
              <th scope="col">Packages</th>
              <th scope="col">Severity</th>
              <th scope="col">State</th>
              <th scope="col">Label</th>
              <th scope="col">Modified</th>
            </tr>
          </thead>
          <tbody>
            {items.map((a) => (
              <tr key={a.id}>
                <th scope="row" className="ch-nowrap">
                  <AppLink href={`/advisories/${encodeURIComponent(a.id)}`}>{a.id}</AppLink>
                  {a.record.aliases && a.record.aliases.length > 0 && <div className="font-sans-3xs text-base">{a.record.aliases.slice(0, 3).join(', ')}</div>}
                </th>
                <td>{a.record.summary ?? '—'}</td>
                <td>
                  {[...new Set((a.record.affected ?? []).map((x) => (x.package ? `${x.package.name} (${x.package.ecosystem})` : '')).filter(Boolean))].slice(0, 3).join(', ') || '—'}
                </td>
                <td className="ch-nowrap">
                  <RatingTag rating={a.rating} />
                </td>
                <td>{humanize(a.state)}</td>
                <td className="ch-nowrap">
                  <TlpTag tlp={a.label.tlp} />
                </td>
                <td className="ch-nowrap">
                  <TimeCell value={a.record.modified ?? a.updatedAt} />
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
