// Pieces the campaign pages share: the registration form (new and edit), the window with its zones, the scope as
// lists, what a campaign touches with its opt-out buttons, and the overlaps table.
import { Fragment, useEffect, useMemo, useState, type ChangeEvent, type FormEvent, type ReactNode } from 'react';
import { Button, Form, Select, Textarea } from '@trussworks/react-uswds';
import { api, ApiError, errorMessage, SECTORS, type Organisation, type Sector } from '../api.ts';
import {
  campaignApi,
  campaignFieldOf,
  instantToLocal,
  localToRfc3339,
  splitList,
  type CampaignInput,
  type CampaignScopeView,
  type CampaignTouch,
  type CampaignView,
  type OptOutView,
  type OverlapView,
} from '../api-campaigns.ts';
import { AppLink } from '../router.tsx';
import { useSession } from '../session.context.tsx';
import { ErrorAlert, Field, FocusAlert, focusFirstInvalid, FormActions, localTimeZone, Panel, ScrollTable, TextField, TimeCell, formatDateTime } from './common.component.tsx';
import { LabelFields, labelFromDraft, draftFromLabel, type LabelDraft } from './label-fields.component.tsx';
import { humanize } from './labels.component.tsx';
import { SectorFields } from './sector-fields.component.tsx';

export const LAB_KINDS = ['ai-developer', 'researcher'];

/** The window in the reader's own zone, and as the lab registered it (with the lab's offset). */
export function WindowText({ window }: { window: CampaignView['window'] }) {
  return (
    <>
      <TimeCell value={window.startUtc} /> to <TimeCell value={window.endUtc} />
      <div className="font-sans-3xs text-base" title="as registered, in the registrant's offset">
        Registered as {window.start} to {window.end}
      </div>
    </>
  );
}

export function phaseLabel(state: CampaignView['state']): string {
  return { scheduled: 'Scheduled', active: 'Running now', ended: 'Ended', cancelled: 'Cancelled' }[state];
}

/** The scope as lists; for a touched reader it holds only what concerns them. */
export function ScopeLists({ scope }: { scope: CampaignScopeView }) {
  const rows: [string, ReactNode[]][] = [
    ['Organisations', scope.organisations.map((o) => <AppLink key={o.id} href={`/organisations/${o.id}`}>{o.name}</AppLink>)],
    ['Inventories', scope.inventories.map((i) => <AppLink key={i.id} href={`/inventories/${i.id}`}>{i.name}</AppLink>)],
    ['Named assets', scope.assets.map((a) => <span key={a.id}>{a.name}</span>)],
    ['Packages (purl)', scope.purls.map((p) => <code key={p}>{p}</code>)],
    ['Network ranges', scope.cidrs.map((c) => <code key={c}>{c}</code>)],
    ['Sectors', scope.sectors.map((s) => <span key={s}>{humanize(s)}</span>)],
  ];
  const shown = rows.filter(([, items]) => items.length > 0);
  if (shown.length === 0) return <p>No target you may see.</p>;
  return (
    <dl className="ch-facts" data-testid="campaign-scope">
      {shown.map(([title, items]) => (
        <Fragment key={title}>
          <dt>{title}</dt>
          <dd>
            {items.map((item, i) => (
              <span key={i}>
                {i > 0 && ', '}
                {item}
              </span>
            ))}
          </dd>
        </Fragment>
      ))}
    </dl>
  );
}

const CONCERN_WORDS: Record<string, string> = {
  organisation: 'names your organisation',
  sector: 'names your sector',
  inventory: 'names your inventory',
  asset: 'names your asset',
  purl: 'names a package in your inventory',
  cidr: 'scans a range over your asset',
};

/**
 * What a campaign touches of the reader's organisations, with a button per reached asset for the organisation's
 * administrators to opt it out of this campaign. `optedOut` holds `assetId|campaignId` and `assetId|*` keys.
 */
export function TouchList({
  campaign,
  optedOut,
  onOptedOut,
}: {
  campaign: Pick<CampaignView, 'id' | 'name' | 'touches'>;
  optedOut: Set<string>;
  onOptedOut: (o: OptOutView) => void;
}) {
  const session = useSession();
  const client = useMemo(() => campaignApi(session.csrfToken), [session.csrfToken]);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  if (campaign.touches.length === 0) return null;
  const isAdmin = (orgId: string) => session.memberships.some((m) => m.organisationId === orgId && m.roles.includes('admin'));
  const optOut = async (t: CampaignTouch, assetId: string) => {
    setBusy(assetId);
    setError(null);
    try {
      onOptedOut(await client.optOut(t.organisationId, { assetId, campaignId: campaign.id }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };
  return (
    <div data-testid="campaign-touches">
      <ErrorAlert error={error} heading="The asset could not be opted out" />
      <ul className="usa-list">
        {campaign.touches.flatMap((t) =>
          t.concerns.map((c, i) => (
            <li key={`${t.organisationId}-${i}`}>
              <strong>{t.organisationName}</strong>: {CONCERN_WORDS[c.kind]} <code>{c.kind === 'organisation' ? t.organisationName : c.value}</code>
              {c.inventories.length > 0 && <> ({c.inventories.map((x) => x.name).join(', ')})</>}
              {c.assets.map((a) => {
                const out = optedOut.has(`${a.id}|${campaign.id}`) || optedOut.has(`${a.id}|*`);
                return (
                  <span key={a.id} className="margin-left-1">
                    <span>{a.name}</span>
                    {out ? (
                      <span className="usa-tag margin-left-1" data-testid="opted-out">Opted out</span>
                    ) : isAdmin(t.organisationId) ? (
                      <Button type="button" outline className="margin-left-1 padding-y-05" disabled={busy === a.id} onClick={() => void optOut(t, a.id)}>
                        {busy === a.id ? 'Opting out…' : `Opt ${a.name} out`}
                      </Button>
                    ) : null}
                  </span>
                );
              })}
            </li>
          )),
        )}
      </ul>
    </div>
  );
}

/** The `assetId|campaignId` (or `assetId|*`) keys of the opt-outs of the reader's administered organisations. */
export function useOptedOut(): [Set<string>, (o: OptOutView) => void] {
  const session = useSession();
  const client = useMemo(() => campaignApi(session.csrfToken), [session.csrfToken]);
  const [keys, setKeys] = useState<Set<string>>(new Set());
  const orgs = session.memberships.filter((m) => m.kind === 'infrastructure-operator' || m.roles.includes('admin')).map((m) => m.organisationId);
  const orgKey = orgs.join(',');
  useEffect(() => {
    let live = true;
    void Promise.all(orgKey.split(',').filter(Boolean).map((o) => client.organisationOptOuts(o).then((p) => p.items, () => [] as OptOutView[]))).then((lists) => {
      if (live) setKeys(new Set(lists.flat().map((o) => `${o.asset.id}|${o.campaign?.id ?? '*'}`)));
    });
    return () => {
      live = false;
    };
  }, [client, orgKey]);
  const add = (o: OptOutView) => setKeys((k) => new Set([...k, `${o.asset.id}|${o.campaign?.id ?? '*'}`]));
  return [keys, add];
}

/** Opt-outs as a table: which targets to leave alone. */
export function OptOutTable({ items, caption, onWithdraw }: { items: OptOutView[]; caption: string; onWithdraw?: (o: OptOutView) => void }) {
  return (
    <ScrollTable caption={caption} testId="opt-outs-table">
      <thead>
        <tr>
          <th scope="col">Organisation</th>
          <th scope="col">Asset</th>
          <th scope="col">Ranges</th>
          <th scope="col">Inventory</th>
          <th scope="col">Out of</th>
          <th scope="col">Note</th>
          <th scope="col">Since</th>
          {onWithdraw && <th scope="col">Action</th>}
        </tr>
      </thead>
      <tbody>
        {items.map((o) => (
          <tr key={o.id}>
            <td>{o.organisationName}</td>
            <th scope="row">{o.asset.name}</th>
            <td>{o.asset.ranges.map((r) => <code key={r} className="display-block">{r}</code>)}</td>
            <td>{o.asset.inventoryName ?? '—'}</td>
            <td>{o.campaign ? <AppLink href={`/campaigns/${o.campaign.id}`}>{o.campaign.name}</AppLink> : 'Every campaign'}</td>
            <td>{o.note ?? '—'}</td>
            <td className="ch-nowrap">
              <TimeCell value={o.createdAt} />
            </td>
            {onWithdraw && (
              <td>
                <Button type="button" unstyled onClick={() => onWithdraw(o)}>
                  Withdraw
                </Button>
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </ScrollTable>
  );
}

/** Overlapping campaigns, flagged for coordinators: what both aim at, and when both run. */
export function OverlapTable({ items }: { items: OverlapView[] }) {
  const shared = (o: OverlapView) =>
    o.shared.map((s) => (s.kind === 'organisation' ? `organisation ${s.organisationName}` : s.kind === 'sector' ? `sector ${humanize(s.sector)}` : s.kind === 'purl' ? `package ${s.a} / ${s.b}` : `ranges ${s.a} / ${s.b}`)).join('; ');
  return (
    <ScrollTable caption="Overlapping campaigns" testId="overlaps-table">
      <thead>
        <tr>
          <th scope="col">Campaign</th>
          <th scope="col">Overlaps with</th>
          <th scope="col">Same target</th>
          <th scope="col">Both running</th>
        </tr>
      </thead>
      <tbody>
        {items.map((o) => (
          <tr key={`${o.a.id}-${o.b.id}`}>
            <th scope="row">
              <AppLink href={`/campaigns/${o.a.id}`}>{o.a.name}</AppLink>
              <div className="font-sans-3xs">{o.a.organisationName}</div>
            </th>
            <td>
              <AppLink href={`/campaigns/${o.b.id}`}>{o.b.name}</AppLink>
              <div className="font-sans-3xs">{o.b.organisationName}</div>
            </td>
            <td>{shared(o)}</td>
            <td className="ch-nowrap">
              <TimeCell value={o.overlap.startUtc} /> to <TimeCell value={o.overlap.endUtc} />
            </td>
          </tr>
        ))}
      </tbody>
    </ScrollTable>
  );
}

interface Draft {
  organisationId: string;
  name: string;
  description: string;
  start: string;
  end: string;
  tool: string;
  model: string;
  contact: string;
  organisations: string[];
  inventories: string;
  assets: string;
  purls: string;
  cidrs: string;
  sectors: Sector[];
  label: LabelDraft;
}

function draftOf(view: CampaignView | undefined, orgId: string): Draft {
  return {
    organisationId: view?.organisationId ?? orgId,
    name: view?.name ?? '',
    description: view?.description ?? '',
    start: view ? instantToLocal(view.window.startUtc) : '',
    end: view ? instantToLocal(view.window.endUtc) : '',
    tool: view?.tool ?? '',
    model: view?.model ?? '',
    contact: view?.contact ?? '',
    organisations: view?.scope.organisations.map((o) => o.id) ?? [],
    inventories: view?.scope.inventories.map((i) => i.id).join('\n') ?? '',
    assets: view?.scope.assets.map((a) => a.id).join('\n') ?? '',
    purls: view?.scope.purls.join('\n') ?? '',
    cidrs: view?.scope.cidrs.join('\n') ?? '',
    sectors: (view?.scope.sectors ?? []) as Sector[],
    label: view ? draftFromLabel({ owner: view.organisationId, ...view.label }) : { tlp: 'AMBER', embargo: '', restricted: '' },
  };
}

/** Field errors of a problem: by its `field` (domain checks) or its schema `errors` (`body/scope/cidrs/3`). */
function fieldErrors(error: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(error instanceof ApiError)) return out;
  const p = error.problem;
  const named = campaignFieldOf(p.field);
  if (named && p.detail) out[named] = p.detail;
  for (const e of p.errors ?? []) {
    const parts = e.path.replace(/^body\//, '').split('/');
    const key = parts[0] === 'scope' || parts[0] === 'window' || parts[0] === 'label' ? parts[1] : parts[0];
    if (key && !out[key]) out[key] = `${e.path.replace(/^body\//, '')}: ${e.message}`;
  }
  return out;
}

/** Register a campaign, or change one (`initial`): the whole registration is sent. */
export function CampaignForm({ initial, onSaved, onCancel }: { initial?: CampaignView; onSaved: (v: CampaignView) => void; onCancel: () => void }) {
  const session = useSession();
  const client = useMemo(() => campaignApi(session.csrfToken), [session.csrfToken]);
  const labs = session.memberships.filter((m) => LAB_KINDS.includes(m.kind));
  const [draft, setDraft] = useState<Draft>(() => draftOf(initial, labs.length === 1 ? labs[0]!.organisationId : ''));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [orgs, setOrgs] = useState<Organisation[]>([]);
  useEffect(() => {
    let live = true;
    api.listOrganisations({ limit: 200 }).then((p) => live && setOrgs(p.items), () => {});
    return () => {
      live = false;
    };
  }, []);
  const set = <K extends keyof Draft>(k: K) => (v: Draft[K]) => setDraft((d) => ({ ...d, [k]: v }));

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const found: Record<string, string> = {};
    if (!initial && !draft.organisationId) found.organisationId = 'Choose the lab registering the campaign.';
    if (!draft.name.trim()) found.name = 'Name the campaign.';
    const start = localToRfc3339(draft.start);
    const end = localToRfc3339(draft.end);
    if (!start) found.start = 'Enter when the scanning starts.';
    if (!end) found.end = 'Enter when the scanning ends.';
    if (start && end && new Date(draft.end) <= new Date(draft.start)) found.end = 'The end must come after the start.';
    for (const k of ['tool', 'model', 'contact'] as const) if (!draft[k].trim()) found[k] = `Enter the ${k}.`;
    const scope = {
      organisations: draft.organisations,
      inventories: splitList(draft.inventories),
      assets: splitList(draft.assets),
      purls: splitList(draft.purls),
      cidrs: splitList(draft.cidrs),
      sectors: draft.sectors,
    };
    if (Object.values(scope).every((l) => l.length === 0)) found.scope = 'Name at least one target: an organisation, inventory, asset, package, network range or sector.';
    const label = labelFromDraft(draft.label);
    if ('errors' in label) Object.assign(found, label.errors);
    setErrors(found);
    if (Object.keys(found).length > 0 || 'errors' in label) return focusFirstInvalid(form);
    const body: CampaignInput = {
      name: draft.name.trim(),
      description: draft.description.trim(),
      scope,
      window: { start: start!, end: end! },
      tool: draft.tool.trim(),
      model: draft.model.trim(),
      contact: draft.contact.trim(),
      label: { tlp: label.label.tlp ?? 'AMBER', embargoUntil: label.label.embargoUntil ?? null, restricted: label.label.restricted ?? null },
    };
    setBusy(true);
    setError(null);
    try {
      onSaved(initial ? await client.update(initial.id, initial.version, body) : await client.create({ ...body, organisationId: draft.organisationId }));
    } catch (err) {
      setError(err);
      setErrors(fieldErrors(err));
      focusFirstInvalid(form);
    } finally {
      setBusy(false);
    }
  };

  const area = (id: string, key: 'inventories' | 'assets' | 'purls' | 'cidrs', label: string, hint: string) => (
    <Field id={`campaign-${id}`} label={label} hint={hint} error={errors[key]}>
      {(control, invalid) => (
        <Textarea {...control} className={invalid ? 'usa-input--error' : undefined} name={key} value={draft[key]} onChange={(e: ChangeEvent<HTMLTextAreaElement>) => set(key)(e.target.value)} />
      )}
    </Field>
  );

  return (
    <Panel id={initial ? 'edit-campaign' : 'register-campaign'} heading={initial ? 'Change the campaign' : 'Register a campaign'}>
      <ErrorAlert error={error} heading={initial ? 'The campaign could not be changed' : 'The campaign could not be registered'} />
      <Form onSubmit={submit} large noValidate className="maxw-none">
        {!initial && labs.length > 1 && (
          <Field id="campaign-org" label="Lab" error={errors.organisationId}>
            {(control, invalid) => (
              <Select {...control} validationStatus={invalid ? 'error' : undefined} name="organisationId" value={draft.organisationId} onChange={(e: ChangeEvent<HTMLSelectElement>) => set('organisationId')(e.target.value)}>
                <option value="">- Select -</option>
                {labs.map((m) => (
                  <option key={m.organisationId} value={m.organisationId}>
                    {m.organisationName}
                  </option>
                ))}
              </Select>
            )}
          </Field>
        )}
        <TextField id="campaign-name" name="name" type="text" label="Campaign name" error={errors.name} value={draft.name} onChange={set('name')} maxLength={200} />
        <Field id="campaign-description" label="Description (optional)" error={errors.description}>
          {(control) => <Textarea {...control} name="description" value={draft.description} onChange={(e: ChangeEvent<HTMLTextAreaElement>) => set('description')(e.target.value)} />}
        </Field>
        <div className="grid-row grid-gap">
          {(['start', 'end'] as const).map((k) => (
            <div key={k} className="tablet:grid-col-6">
              <Field id={`campaign-${k}`} label={k === 'start' ? 'Scanning starts' : 'Scanning ends'} hint={`In your time zone (${localTimeZone()}); sent with its offset.`} error={errors[k]}>
                {(control) => (
                  <input {...control} className={`usa-input${control['aria-invalid'] ? ' usa-input--error' : ''}`} name={k} type="datetime-local" value={draft[k]} onChange={(e: ChangeEvent<HTMLInputElement>) => set(k)(e.target.value)} />
                )}
              </Field>
            </div>
          ))}
        </div>
        <TextField id="campaign-tool" name="tool" type="text" label="Tool" hint="The scanner and its version." error={errors.tool} value={draft.tool} onChange={set('tool')} maxLength={200} />
        <TextField id="campaign-model" name="model" type="text" label="Model" hint="The AI model driving it." error={errors.model} value={draft.model} onChange={set('model')} maxLength={200} />
        <TextField id="campaign-contact" name="contact" type="text" label="Contact" hint="Who an operator calls when the scan misbehaves." error={errors.contact} value={draft.contact} onChange={set('contact')} maxLength={320} />
        <fieldset className="usa-fieldset margin-top-3">
          <legend className="usa-legend usa-legend--large">Scope</legend>
          {errors.scope && <span className="usa-error-message">{errors.scope}</span>}
          <Field id="campaign-organisations" label="Organisations" hint="Scanned as a whole. Hold Ctrl (or Cmd) to choose several." error={errors.organisations}>
            {(control) => (
              <select
                {...control}
                className="usa-select"
                multiple
                size={Math.min(6, Math.max(2, orgs.length))}
                value={draft.organisations}
                onChange={(e: ChangeEvent<HTMLSelectElement>) => set('organisations')(Array.from(e.target.selectedOptions).map((o) => o.value))}
              >
                {orgs.map((o) => (
                  <option key={o.id} value={o.id}>
                    {o.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {area('cidrs', 'cidrs', 'Network ranges (CIDR)', 'One per line, IPv4 or IPv6, e.g. 192.0.2.0/24 or 2001:db8::/32; no host bits.')}
          {area('purls', 'purls', 'Packages (purl)', 'One per line, e.g. pkg:npm/modbus-js (every version) or pkg:npm/modbus-js@1.2.3.')}
          {area('assets', 'assets', 'Named assets (ids)', 'One per line: ids from an organisation\'s asset list you may read.')}
          {area('inventories', 'inventories', 'Inventories (ids)', 'One per line: ids of inventories you may read.')}
          <SectorFields idPrefix="campaign" checkboxIdPrefix="campaign-sector" hint="Every operator in these sectors is touched." error={errors.sectors} value={draft.sectors} onChange={(update) => setDraft((d) => ({ ...d, sectors: update(d.sectors) }))} />
        </fieldset>
        <LabelFields idPrefix="campaign" value={draft.label} onChange={set('label')} errors={errors} />
        <FormActions busy={busy} label={initial ? 'Save changes' : 'Register campaign'} busyLabel={initial ? 'Saving…' : 'Registering…'} onCancel={onCancel} />
      </Form>
    </Panel>
  );
}

/** A short confirmation after an action, focused so it is announced. */
export function Done({ children, focusKey }: { children: ReactNode; focusKey: unknown }) {
  return (
    <FocusAlert type="success" focusKey={focusKey} testId="campaign-done">
      {children}
    </FocusAlert>
  );
}

export { SECTORS, errorMessage, formatDateTime };
