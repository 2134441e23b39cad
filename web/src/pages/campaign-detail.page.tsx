import { useCallback, useEffect, useMemo, useState, type ChangeEvent } from 'react';
import { Button } from '@trussworks/react-uswds';
import { ApiError } from '../api.ts';
import { campaignApi, type CampaignView, type OptOutView, type OverlapView } from '../api-campaigns.ts';
import { Breadcrumbs, ConfirmDialog, ErrorAlert, PageHeading, Panel, TimeCell } from '../components/common.component.tsx';
import { CampaignForm, Done, OptOutTable, OverlapTable, phaseLabel, ScopeLists, TouchList, useOptedOut, WindowText } from '../components/campaign-parts.component.tsx';
import { TlpTag } from '../components/labels.component.tsx';
import { AppLink } from '../router.tsx';
import { useSession } from '../session.context.tsx';

/** Scanning campaign (issue 9): scope, window with its zones, what it touches of yours, opt-outs, overlaps. */
export function CampaignDetailPage({ campaignId }: { campaignId: string }) {
  const session = useSession();
  const client = useMemo(() => campaignApi(session.csrfToken), [session.csrfToken]);
  const [campaign, setCampaign] = useState<CampaignView | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [optOuts, setOptOuts] = useState<OptOutView[] | null>(null);
  const [overlaps, setOverlaps] = useState<OverlapView[] | null>(null);
  const [editing, setEditing] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  const [reason, setReason] = useState('');
  const [actionError, setActionError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const [optedOut, addOptedOut] = useOptedOut();
  const isCoordinator = session.memberships.some((m) => m.kind === 'government');

  const loadOptOuts = useCallback(() => {
    client.optOuts(campaignId).then((p) => setOptOuts(p.items), () => setOptOuts([]));
  }, [client, campaignId]);
  useEffect(() => {
    let live = true;
    client.get(campaignId).then(
      (c) => live && setCampaign(c),
      (err) => live && setError(err),
    );
    loadOptOuts();
    if (isCoordinator) client.overlaps({ campaignId, limit: 200 }).then((p) => live && setOverlaps(p.items), () => live && setOverlaps([]));
    return () => {
      live = false;
    };
  }, [client, campaignId, isCoordinator, loadOptOuts]);

  if (error) {
    const missing = error instanceof ApiError && error.status === 404;
    return (
      <>
        <Breadcrumbs parent={{ href: '/campaigns', label: 'Scanning campaigns' }} current="Campaign" />
        <PageHeading>{missing ? 'Campaign not found' : 'Scanning campaign'}</PageHeading>
        {missing ? <p>There is no campaign here that you may read.</p> : <ErrorAlert error={error} heading="The campaign could not be loaded" />}
      </>
    );
  }
  if (!campaign)
    return (
      <>
        <PageHeading>Scanning campaign</PageHeading>
        <p role="status">Loading…</p>
      </>
    );

  const owner = session.memberships.some((m) => m.organisationId === campaign.organisationId);
  const cancel = async () => {
    setCancelling(false);
    setActionError(null);
    try {
      setCampaign(await client.cancel(campaign.id, campaign.version, reason.trim() || undefined));
      setDone('The campaign is cancelled. Operators it touches see it as cancelled.');
    } catch (err) {
      setActionError(err);
    }
  };
  const onOptedOut = (o: OptOutView) => {
    addOptedOut(o);
    loadOptOuts();
    setDone(`${o.asset.name} is opted out of this campaign. Its owner sees it.`);
  };

  return (
    <>
      <Breadcrumbs parent={{ href: '/campaigns', label: 'Scanning campaigns' }} current={campaign.name} />
      <PageHeading>{campaign.name}</PageHeading>
      {done && <Done focusKey={done}>{done}</Done>}
      <ErrorAlert error={actionError} heading="That did not work" />
      {campaign.access === 'touched' && (
        <p className="usa-alert usa-alert--info usa-alert--slim padding-1" data-testid="touched-note">
          You see this campaign because it touches your organisation. Only what concerns you is shown.
        </p>
      )}
      <dl className="ch-facts" data-testid="campaign-summary">
          <dt>Registered by</dt>
          <dd>{campaign.organisationName}</dd>
          <dt>State</dt>
          <dd>
            {phaseLabel(campaign.state)}
            {campaign.cancelledAt && (
              <>
                {' '}
                (<TimeCell value={campaign.cancelledAt} />
                {campaign.cancelReason ? `: ${campaign.cancelReason}` : ''})
              </>
            )}
          </dd>
          <dt>Window</dt>
          <dd>
            <WindowText window={campaign.window} />
          </dd>
          <dt>Tool</dt>
          <dd>{campaign.tool}</dd>
          <dt>Model</dt>
          <dd>{campaign.model}</dd>
          <dt>Contact</dt>
          <dd>{campaign.contact}</dd>
          <dt>Label</dt>
          <dd>
            <TlpTag tlp={campaign.label.tlp} />
            {campaign.label.embargoUntil && (
              <>
                {' '}
                embargoed until <TimeCell value={campaign.label.embargoUntil} />
              </>
            )}
          </dd>
      </dl>
      {campaign.description && <p className="ch-prewrap">{campaign.description}</p>}
      {owner && campaign.state !== 'cancelled' && !editing && (
        <p>
          <Button type="button" outline onClick={() => setEditing(true)}>
            Change
          </Button>
          {campaign.state !== 'ended' && (
            <Button type="button" secondary onClick={() => setCancelling(true)}>
              Cancel campaign
            </Button>
          )}
        </p>
      )}
      {editing && (
        <CampaignForm
          initial={campaign}
          onSaved={(v) => {
            setCampaign(v);
            setEditing(false);
            loadOptOuts();
            setDone('Saved. Who the campaign touches follows the new scope.');
          }}
          onCancel={() => setEditing(false)}
        />
      )}
      <ConfirmDialog open={cancelling} heading="Cancel this campaign?" confirmLabel="Cancel campaign" onConfirm={() => void cancel()} onCancel={() => setCancelling(false)}>
        <p>Operators it touches will see it as cancelled. This cannot be undone.</p>
        <label className="usa-label" htmlFor="cancel-reason">
          Reason (optional)
        </label>
        <input id="cancel-reason" className="usa-input" maxLength={2000} value={reason} onChange={(e: ChangeEvent<HTMLInputElement>) => setReason(e.target.value)} />
      </ConfirmDialog>

      <Panel id="scope" heading={campaign.access === 'touched' ? 'Scope, as it concerns you' : 'Scope'}>
        <ScopeLists scope={campaign.scope} />
      </Panel>
      {campaign.touches.length > 0 && (
        <Panel id="touches" heading="What it touches of yours">
          <TouchList campaign={campaign} optedOut={optedOut} onOptedOut={onOptedOut} />
          <p className="usa-hint">
            To keep an asset out of every campaign, use <AppLink href="/assets">named assets and opt-outs</AppLink>.
          </p>
        </Panel>
      )}
      {optOuts && (owner || optOuts.length > 0) && (
        <Panel id="opt-outs" heading={owner ? 'Opt-outs: targets to leave alone' : 'Your opt-outs'}>
          {optOuts.length === 0 ? <p data-testid="opt-outs-none">No operator has opted an asset out of this campaign.</p> : <OptOutTable items={optOuts} caption="Opt-outs that apply to this campaign" />}
        </Panel>
      )}
      {overlaps && (
        <Panel id="overlaps" heading="Overlapping campaigns">
          {overlaps.length === 0 ? <p data-testid="overlaps-none">No campaign you may read overlaps this one.</p> : <OverlapTable items={overlaps} />}
        </Panel>
      )}
    </>
  );
}
