// Coordinated disclosure cases (issue 9; docs/cases.md): the cases you may read, with what changed since your last
// visit, and a form to open a case from findings you may read.
import { useCallback, useEffect, useMemo, useState, type ChangeEvent, type FormEvent } from 'react';
import { Button, Checkbox, Form, Select, Tag, Textarea, TextInput } from '@trussworks/react-uswds';
import { TLP_LEVELS, type Tlp } from '../api.ts';
import { caseApi, type CaseQuery } from '../api-cases.ts';
import { triageApi, type FindingView } from '../api-triage.ts';
import { EmptyState, ErrorAlert, Field, LoadMore, PageHeading, Panel, ScrollTable, TextField, TimeCell, localTimeZone, problemFieldErrors } from '../components/common.component.tsx';
import { humanize, TlpTag } from '../components/labels.component.tsx';
import { usePagedList } from '../hooks/use-paged-list.ts';
import { AppLink, navigate } from '../router.tsx';
import { useSessionContext } from '../session.context.tsx';

const PAGE_SIZE = 50;

/** Whole days from now to `iso` (rounded up), for the countdown beside a public date. */
export function daysUntil(iso: string, now = Date.now()): number {
  return Math.max(0, Math.ceil((Date.parse(iso) - now) / 86_400_000));
}

function OpenCaseForm({ onCancel }: { onCancel: () => void }) {
  const { state } = useSessionContext();
  const session = state.status === 'signed-in' ? state.session : null;
  const csrf = session?.csrfToken ?? null;
  const cases = useMemo(() => caseApi(csrf), [csrf]);
  const triage = useMemo(() => triageApi(csrf), [csrf]);
  const memberships = session?.memberships ?? [];
  const [organisationId, setOrganisationId] = useState(memberships[0]?.organisationId ?? '');
  const [search, setSearch] = useState('');
  const [found, setFound] = useState<FindingView[] | null>(null);
  const [chosen, setChosen] = useState<Map<string, FindingView>>(new Map());
  const [title, setTitle] = useState('');
  const [summary, setSummary] = useState('');
  const [tlp, setTlp] = useState<Tlp>('AMBER');
  const [publicDate, setPublicDate] = useState('');
  const [exploited, setExploited] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});

  // A finding page links here with ?finding=<id>: that finding starts chosen.
  useEffect(() => {
    const id = new URLSearchParams(window.location.search).get('finding');
    if (!id) return;
    triage.finding(id).then(
      (f) => {
        setChosen((m) => new Map(m).set(f.id, f));
        setTitle((t) => t || f.title);
      },
      () => undefined,
    );
  }, [triage]);

  const find = async (event?: FormEvent) => {
    event?.preventDefault();
    setError(null);
    try {
      setFound((await triage.queue({ q: search.trim().slice(0, 200), limit: 20 })).items);
    } catch (err) {
      setError(err);
    }
  };

  const toggle = (f: FindingView, on: boolean) => {
    setChosen((m) => {
      const next = new Map(m);
      if (on) next.set(f.id, f);
      else next.delete(f.id);
      return next;
    });
    if (on && !title) setTitle(f.title);
  };

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const local: Record<string, string> = {};
    if (!title.trim()) local.title = 'Give the case a title.';
    if (chosen.size === 0) local.findingIds = 'Choose at least one finding.';
    let date: string | undefined;
    if (publicDate) {
      const d = new Date(publicDate);
      if (Number.isNaN(d.getTime())) local.publicDate = 'Enter the public date as a date and time.';
      else date = d.toISOString();
    }
    setErrors(local);
    if (Object.keys(local).length) return;
    setBusy(true);
    setError(null);
    try {
      const c = await cases.open({
        ...(organisationId ? { organisationId } : {}),
        title: title.trim(),
        ...(summary.trim() ? { summary: summary.trim() } : {}),
        findingIds: [...chosen.keys()],
        label: { tlp },
        ...(date ? { publicDate: date } : {}),
        ...(exploited ? { activelyExploited: true } : {}),
      });
      navigate(`/cases/${c.id}`);
    } catch (err) {
      setErrors(Object.fromEntries(Object.entries(problemFieldErrors(err)).map(([k, v]) => [k.startsWith('findingIds') ? 'findingIds' : k, v])));
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Panel id="open-case" heading="Open a case">
      <p>
        Coordinators open cases from findings they may read; so may a finding&apos;s reporter and the vendor of its product, who then choose the
        audience. The findings&apos; reporters take part in the case; add vendors on the case&apos;s page.
      </p>
      <form onSubmit={(e) => void find(e)} className="margin-bottom-2" role="search" aria-label="Findings to open the case from">
        <Field id="case-finding-search" label="Find findings" hint="Words of the title, a product or an alias (CVE-…); only findings you may read are listed.">
          {(control) => <TextInput {...control} type="search" name="finding-search" value={search} maxLength={200} onChange={(e: ChangeEvent<HTMLInputElement>) => setSearch(e.target.value)} />}
        </Field>
        <Button type="submit" outline data-testid="case-finding-search">
          Search findings
        </Button>
      </form>
      {found && found.length === 0 && <p role="status">No finding you may read matches.</p>}
      <Form onSubmit={submit} className="maxw-none" noValidate>
        <fieldset className="usa-fieldset">
          <legend className="usa-legend">Findings</legend>
          {errors.findingIds && <span className="usa-error-message">{errors.findingIds}</span>}
          {[...new Map([...chosen, ...(found ?? []).map((f) => [f.id, f] as const)]).values()].map((f) => (
            <Checkbox
              key={f.id}
              id={`case-finding-${f.id}`}
              name="findingIds"
              data-testid="case-finding-choice"
              label={
                <>
                  {f.title} <TlpTag tlp={f.label.tlp} /> <span className="text-base">{f.product.purl ?? f.product.cpe ?? f.product.name ?? ''} · reported by {f.reporter.organisationName}</span>
                </>
              }
              checked={chosen.has(f.id)}
              onChange={(e: ChangeEvent<HTMLInputElement>) => toggle(f, e.target.checked)}
            />
          ))}
          {chosen.size === 0 && !found && <p className="text-base">Search for findings above, or open a case from a finding&apos;s page.</p>}
        </fieldset>
        {memberships.length > 1 && (
          <Field id="case-organisation" label="Owning organisation" hint="The organisation the case belongs to; it takes part as coordinator, reporter or vendor.">
            {(control) => (
              <Select {...control} name="organisationId" value={organisationId} onChange={(e: ChangeEvent<HTMLSelectElement>) => setOrganisationId(e.target.value)}>
                {memberships.map((m) => (
                  <option key={m.organisationId} value={m.organisationId}>
                    {m.organisationName}
                  </option>
                ))}
              </Select>
            )}
          </Field>
        )}
        <TextField id="case-title" label="Title" error={errors.title} name="title" type="text" value={title} onChange={setTitle} maxLength={300} />
        <Field id="case-summary" label="Summary" hint="What the vulnerability is and why it needs coordinating.">
          {(control) => <Textarea {...control} name="summary" value={summary} maxLength={20000} onChange={(e: ChangeEvent<HTMLTextAreaElement>) => setSummary(e.target.value)} />}
        </Field>
        <Field id="case-tlp" label="TLP label" hint="AMBER: the participants and the clearinghouse's coordinators. RED: the participants only.">
          {(control) => (
            <Select {...control} name="tlp" value={tlp} onChange={(e: ChangeEvent<HTMLSelectElement>) => setTlp(e.target.value as Tlp)}>
              {TLP_LEVELS.map((t) => (
                <option key={t} value={t}>
                  TLP:{t}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <Field id="case-public-date" label="Public date (optional)" hint={`In your time zone, ${localTimeZone()}. Left empty: 90 days from today, 7 when actively exploited.`} error={errors.publicDate}>
          {(control) => <input {...control} className="usa-input" type="datetime-local" name="publicDate" value={publicDate} onChange={(e: ChangeEvent<HTMLInputElement>) => setPublicDate(e.target.value)} />}
        </Field>
        <Checkbox id="case-exploited" name="activelyExploited" label="Actively exploited (a 7-day public date by default)" checked={exploited} onChange={(e: ChangeEvent<HTMLInputElement>) => setExploited(e.target.checked)} />
        <ErrorAlert error={error} heading="The case could not be opened" />
        <div className="margin-top-2">
          <Button type="submit" disabled={busy} data-testid="case-open-submit">
            {busy ? 'Opening…' : 'Open the case'}
          </Button>
          <Button type="button" unstyled onClick={onCancel}>
            Cancel
          </Button>
        </div>
      </Form>
    </Panel>
  );
}

export function CasesPage() {
  const { state } = useSessionContext();
  const session = state.status === 'signed-in' ? state.session : null;
  const client = useMemo(() => caseApi(session?.csrfToken ?? null), [session?.csrfToken]);
  const [typed, setTyped] = useState<{ q: string; state: CaseQuery['state'] }>({ q: '', state: '' });
  const [applied, setApplied] = useState(typed);
  const [opening, setOpening] = useState(() => new URLSearchParams(window.location.search).has('finding'));
  const fetchPage = useCallback((cursor: string | null) => client.list({ ...applied, limit: PAGE_SIZE, cursor }), [client, applied]);
  const { items, cursor, loading, error, loadMore } = usePagedList(fetchPage);
  const filtered = Boolean(applied.q || applied.state);

  return (
    <>
      <PageHeading>Cases</PageHeading>
      <p>
        Coordinated disclosure cases you take part in or may read: their participants, vendor statuses and public date. A case&apos;s embargo runs until its
        public date, when its advisory is published.
      </p>
      {session && session.memberships.length > 0 && !opening && (
        <p>
          <Button type="button" onClick={() => setOpening(true)} data-testid="case-open">
            Open a case
          </Button>
        </p>
      )}
      {opening && <OpenCaseForm onCancel={() => setOpening(false)} />}
      <Form
        onSubmit={(e: FormEvent<HTMLFormElement>) => {
          e.preventDefault();
          setApplied({ ...typed, q: typed.q.slice(0, 200) });
        }}
        className="maxw-none ch-filters"
        noValidate
      >
        <div className="grid-row grid-gap">
          <div className="tablet:grid-col-6">
            <Field id="case-q" label="Search" hint="Words of the title.">
              {(control) => <TextInput {...control} type="search" name="q" maxLength={200} value={typed.q} onChange={(e: ChangeEvent<HTMLInputElement>) => setTyped({ ...typed, q: e.target.value })} />}
            </Field>
          </div>
          <div className="tablet:grid-col-3">
            <Field id="case-state" label="State">
              {(control) => (
                <Select {...control} name="state" value={typed.state} onChange={(e: ChangeEvent<HTMLSelectElement>) => setTyped({ ...typed, state: e.target.value as CaseQuery['state'] })}>
                  <option value="">Any</option>
                  <option value="open">Open</option>
                  <option value="closed">Closed</option>
                </Select>
              )}
            </Field>
          </div>
        </div>
        <Button type="submit" className="margin-top-2">
          Search
        </Button>
      </Form>
      <ErrorAlert error={error} heading="The cases could not be loaded" />
      {!loading && !error && items.length === 0 ? (
        <EmptyState>
          <p data-testid="cases-none">
            <strong>{filtered ? 'No case matches these filters.' : 'No cases yet.'}</strong>
          </p>
        </EmptyState>
      ) : (
        <ScrollTable caption="Cases" testId="cases-table">
          <thead>
            <tr>
              <th scope="col">Case</th>
              <th scope="col">State</th>
              <th scope="col">Public date</th>
              <th scope="col">Your role</th>
              <th scope="col">Participants</th>
              <th scope="col">Label</th>
              <th scope="col">What changed</th>
              <th scope="col">Last change</th>
            </tr>
          </thead>
          <tbody>
            {items.map((c) => (
              <tr key={c.id}>
                <th scope="row">
                  <AppLink href={`/cases/${c.id}`}>{c.title}</AppLink>
                  {c.activelyExploited && (
                    <div>
                      <Tag className="bg-secondary-dark">Actively exploited</Tag>
                    </div>
                  )}
                </th>
                <td>{humanize(c.state)}</td>
                <td className="ch-nowrap">
                  <TimeCell value={c.publicDate} />
                  {c.state === 'open' && <div className="font-sans-3xs text-base">in {daysUntil(c.publicDate)} days</div>}
                </td>
                <td>{c.myRoles.length ? c.myRoles.map(humanize).join(', ') : 'Reader'}</td>
                <td>{c.participants}</td>
                <td className="ch-nowrap">
                  <TlpTag tlp={c.label.tlp} />
                </td>
                <td data-testid="case-unread">{c.unread.statuses > 0 ? <Tag>{c.unread.statuses} new vendor {c.unread.statuses === 1 ? 'status' : 'statuses'}</Tag> : '—'}</td>
                <td className="ch-nowrap">
                  <TimeCell value={c.updatedAt} />
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
