import { useCallback, useMemo, useState, type ChangeEvent } from 'react';
import { Button } from '@trussworks/react-uswds';
import { usePagedList } from '../hooks/use-paged-list.ts';
import { campaignApi, type CampaignView, type OptOutView } from '../api-campaigns.ts';
import { EmptyState, ErrorAlert, LoadMore, PageHeading, Panel, ScrollTable } from '../components/common.component.tsx';
import { CampaignForm, Done, LAB_KINDS, OverlapTable, phaseLabel, TouchList, useOptedOut, WindowText } from '../components/campaign-parts.component.tsx';
import { TlpTag } from '../components/labels.component.tsx';
import { AppLink } from '../router.tsx';
import { useSession } from '../session.context.tsx';

const PAGE_SIZE = 50;

/** Coordinators: pairs of campaigns that aim at the same target in overlapping windows. */
function OverlapsPanel() {
  const session = useSession();
  const client = useMemo(() => campaignApi(session.csrfToken), [session.csrfToken]);
  const fetchPage = useCallback((cursor: string | null) => client.overlaps({ limit: PAGE_SIZE, cursor }), [client]);
  const { items, cursor, loading, error, loadMore } = usePagedList(fetchPage);
  return (
    <Panel id="overlaps" heading="Overlapping campaigns">
      <p className="usa-hint">Campaigns you may read that aim at the same organisation, sector, package or network range while both are running: two labs about to hammer the same target on the same night.</p>
      <ErrorAlert error={error} heading="The overlaps could not be loaded" />
      {!loading && !error && items.length === 0 ? (
        <p data-testid="overlaps-none">No overlapping campaigns.</p>
      ) : (
        <OverlapTable items={items} />
      )}
      {loading && <p role="status">Loading…</p>}
      <LoadMore cursor={cursor} loading={loading} onLoad={loadMore} />
    </Panel>
  );
}

export function CampaignsPage() {
  const session = useSession();
  const client = useMemo(() => campaignApi(session.csrfToken), [session.csrfToken]);
  const kinds = new Set(session.memberships.map((m) => m.kind));
  const isLab = session.memberships.some((m) => LAB_KINDS.includes(m.kind));
  const isOperator = kinds.has('infrastructure-operator');
  const isCoordinator = kinds.has('government');
  const [filters, setFilters] = useState({ mine: isLab && !isOperator, touching: isOperator && !isLab, active: false });
  const [registering, setRegistering] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [optedOut, addOptedOut] = useOptedOut();
  const fetchPage = useCallback((cursor: string | null) => client.list({ ...filters, limit: PAGE_SIZE, cursor }), [client, filters]);
  const { items, setItems, cursor, loading, error, loadMore } = usePagedList(fetchPage);

  const registered = (v: CampaignView) => {
    setRegistering(false);
    setItems((list) => [v, ...list]);
    setDone(`Campaign “${v.name}” registered.`);
  };
  const onOptedOut = (o: OptOutView) => {
    addOptedOut(o);
    setDone(`${o.asset.name} is opted out of “${o.campaign?.name ?? 'every campaign'}”. Its owner sees it.`);
  };
  const toggle = (k: keyof typeof filters) => (e: ChangeEvent<HTMLInputElement>) => setFilters((f) => ({ ...f, [k]: e.target.checked }));

  return (
    <>
      <PageHeading>Scanning campaigns</PageHeading>
      <p>
        AI labs and researchers register the scanning they are about to run, so that operators do not mistake it for an attack and
        coordinators can keep two labs from scanning the same target on the same night. Operators see the campaigns that touch their
        organisation (by name, sector, inventory, package or a range over their{' '}
        <AppLink href="/assets">named assets</AppLink>) and may opt an asset out.
      </p>
      {done && <Done focusKey={done}>{done}</Done>}
      {isLab && !registering && (
        <p>
          <Button type="button" onClick={() => setRegistering(true)}>
            Register campaign
          </Button>
        </p>
      )}
      {registering && <CampaignForm onSaved={registered} onCancel={() => setRegistering(false)} />}
      {isOperator && (
        <p>
          <AppLink href="/assets" className="usa-button usa-button--outline">
            Named assets and opt-outs
          </AppLink>
        </p>
      )}
      {isCoordinator && <OverlapsPanel />}
      <fieldset className="usa-fieldset ch-filters margin-top-2">
        <legend className="usa-legend">Show</legend>
        {([
          ['mine', 'Only my organisations’ campaigns'],
          ['touching', 'Only campaigns touching my organisations'],
          ['active', 'Only campaigns running now'],
        ] as const).map(([k, text]) => (
          <div key={k} className="usa-checkbox display-inline-block margin-right-3">
            <input className="usa-checkbox__input" id={`campaigns-filter-${k}`} type="checkbox" checked={filters[k]} onChange={toggle(k)} />
            <label className="usa-checkbox__label" htmlFor={`campaigns-filter-${k}`}>
              {text}
            </label>
          </div>
        ))}
      </fieldset>
      <ErrorAlert error={error} heading="The campaigns could not be loaded" />
      {!loading && !error && items.length === 0 ? (
        <EmptyState>
          <p data-testid="campaigns-none">
            <strong>No campaign to show.</strong>
          </p>
          {isLab && <p>Register one with “Register campaign”.</p>}
        </EmptyState>
      ) : (
        <ScrollTable caption="Scanning campaigns" testId="campaigns-table">
          <thead>
            <tr>
              <th scope="col">Campaign</th>
              <th scope="col">Lab</th>
              <th scope="col">Window</th>
              <th scope="col">State</th>
              <th scope="col">Label</th>
              <th scope="col">Touches you</th>
            </tr>
          </thead>
          <tbody>
            {items.map((c) => (
              <tr key={c.id}>
                <th scope="row">
                  <AppLink href={`/campaigns/${c.id}`}>{c.name}</AppLink>
                  <div className="font-sans-3xs text-base">
                    {c.tool} · {c.model}
                  </div>
                </th>
                <td>{c.organisationName}</td>
                <td>
                  <WindowText window={c.window} />
                </td>
                <td>{phaseLabel(c.state)}</td>
                <td className="ch-nowrap">
                  <TlpTag tlp={c.label.tlp} />
                </td>
                <td>{c.touches.length ? <TouchList campaign={c} optedOut={optedOut} onOptedOut={onOptedOut} /> : '—'}</td>
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
