// Named assets of an operator's organisation (their network ranges, optionally the inventory each stands for), and
// its opt-outs from scanning campaigns: declared and withdrawn by the organisation's administrators (docs/campaigns.md).
import { useCallback, useEffect, useMemo, useState, type ChangeEvent, type FormEvent } from 'react';
import { Button, Form, Select, Textarea } from '@trussworks/react-uswds';
import { api, TLP_LEVELS, type InventoryView, type Tlp } from '../api.ts';
import { campaignApi, splitList, type AssetView, type OptOutView } from '../api-campaigns.ts';
import { EmptyState, ErrorAlert, Field, FocusAlert, focusFirstInvalid, FormActions, PageHeading, Panel, ScrollTable, TextField } from '../components/common.component.tsx';
import { OptOutTable } from '../components/campaign-parts.component.tsx';
import { TlpTag } from '../components/labels.component.tsx';
import { AppLink } from '../router.tsx';
import { useSession } from '../session.context.tsx';

interface AssetDraft {
  name: string;
  ranges: string;
  inventoryId: string;
  tlp: Tlp;
}

function AssetForm({ orgId, initial, onSaved, onCancel }: { orgId: string; initial?: AssetView; onSaved: (a: AssetView) => void; onCancel: () => void }) {
  const session = useSession();
  const client = useMemo(() => campaignApi(session.csrfToken), [session.csrfToken]);
  const [draft, setDraft] = useState<AssetDraft>({ name: initial?.name ?? '', ranges: initial?.ranges.join('\n') ?? '', inventoryId: initial?.inventoryId ?? '', tlp: initial?.label.tlp ?? 'AMBER' });
  const [inventories, setInventories] = useState<InventoryView[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    let live = true;
    api.listInventories({ organisationId: orgId, limit: 200 }).then((p) => live && setInventories(p.items), () => {});
    return () => {
      live = false;
    };
  }, [orgId]);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const found: Record<string, string> = {};
    if (!draft.name.trim()) found.name = 'Name the asset, e.g. “Treatment plant SCADA”.';
    setErrors(found);
    if (Object.keys(found).length) return focusFirstInvalid(form);
    const body = { name: draft.name.trim(), ranges: splitList(draft.ranges), inventoryId: draft.inventoryId || null, label: { tlp: draft.tlp } };
    setBusy(true);
    setError(null);
    try {
      onSaved(initial ? await client.updateAsset(orgId, initial.id, initial.version, body) : await client.createAsset(orgId, body));
    } catch (err) {
      setError(err);
      const field = (err as { problem?: { field?: string; detail?: string } }).problem;
      if (field?.field && field.detail) setErrors({ [field.field.replace(/\[\d+\]$/, '')]: field.detail });
      focusFirstInvalid(form);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Panel id={initial ? 'edit-asset' : 'new-asset'} heading={initial ? `Change ${initial.name}` : 'Declare a named asset'}>
      <ErrorAlert error={error} heading="The asset could not be saved" />
      <Form onSubmit={submit} large noValidate>
        <TextField id="asset-name" name="name" type="text" label="Asset name" error={errors.name} value={draft.name} onChange={(name) => setDraft({ ...draft, name })} maxLength={200} />
        <Field id="asset-ranges" label="Network ranges (CIDR)" hint="One per line, IPv4 or IPv6, e.g. 10.20.0.0/16; at most 32. Campaigns scanning an overlapping range touch your organisation." error={errors.ranges}>
          {(control, invalid) => <Textarea {...control} className={invalid ? 'usa-input--error' : undefined} name="ranges" value={draft.ranges} onChange={(e: ChangeEvent<HTMLTextAreaElement>) => setDraft({ ...draft, ranges: e.target.value })} />}
        </Field>
        <Field id="asset-inventory" label="Inventory it stands for (optional)" hint="Campaigns naming this inventory, or a package in it, reach this asset." error={errors.inventoryId}>
          {(control) => (
            <Select {...control} name="inventoryId" value={draft.inventoryId} onChange={(e: ChangeEvent<HTMLSelectElement>) => setDraft({ ...draft, inventoryId: e.target.value })}>
              <option value="">None</option>
              {inventories.map((i) => (
                <option key={i.id} value={i.id}>
                  {i.name}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <Field id="asset-tlp" label="TLP label" hint="Who outside your organisation may read the asset: AMBER lets coordinators see it; GREEN lets labs name it in a campaign.">
          {(control) => (
            <Select {...control} name="tlp" value={draft.tlp} onChange={(e: ChangeEvent<HTMLSelectElement>) => setDraft({ ...draft, tlp: e.target.value as Tlp })}>
              {TLP_LEVELS.map((t) => (
                <option key={t} value={t}>
                  TLP:{t}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <FormActions busy={busy} label={initial ? 'Save asset' : 'Declare asset'} busyLabel="Saving…" onCancel={onCancel} />
      </Form>
    </Panel>
  );
}

export function AssetsPage() {
  const session = useSession();
  const client = useMemo(() => campaignApi(session.csrfToken), [session.csrfToken]);
  const orgs = session.memberships;
  const [orgId, setOrgId] = useState(() => (orgs.find((m) => m.kind === 'infrastructure-operator') ?? orgs[0])?.organisationId ?? '');
  const [assets, setAssets] = useState<AssetView[] | null>(null);
  const [optOuts, setOptOuts] = useState<OptOutView[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [editing, setEditing] = useState<AssetView | 'new' | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const isAdmin = orgs.some((m) => m.organisationId === orgId && m.roles.includes('admin'));

  const load = useCallback(() => {
    if (!orgId) return;
    setError(null);
    Promise.all([client.assets(orgId), client.organisationOptOuts(orgId)]).then(
      ([a, o]) => {
        setAssets(a.items);
        setOptOuts(o.items);
      },
      setError,
    );
  }, [client, orgId]);
  useEffect(load, [load]);

  const act = async (what: () => Promise<unknown>, message: string) => {
    setError(null);
    try {
      await what();
      setDone(message);
      load();
    } catch (err) {
      setError(err);
    }
  };
  const outOfAll = new Set((optOuts ?? []).filter((o) => o.campaign === null).map((o) => o.asset.id));

  return (
    <>
      <PageHeading>Named assets</PageHeading>
      <p>
        Declare your organisation’s assets and their network ranges so that <AppLink href="/campaigns">scanning campaigns</AppLink> aimed at
        them reach you, and opt an asset out of one campaign or of every campaign. A campaign’s owner sees the opt-outs that apply to it:
        the asset’s name, ranges and inventory, and your organisation, so they know what to leave alone.
      </p>
      {orgs.length === 0 && <p>You are not a member of any organisation.</p>}
      {orgs.length > 1 && (
        <Field id="assets-org" label="Organisation">
          {(control) => (
            <Select {...control} name="organisationId" value={orgId} onChange={(e: ChangeEvent<HTMLSelectElement>) => setOrgId(e.target.value)}>
              {orgs.map((m) => (
                <option key={m.organisationId} value={m.organisationId}>
                  {m.organisationName}
                </option>
              ))}
            </Select>
          )}
        </Field>
      )}
      {done && (
        <FocusAlert type="success" focusKey={done} testId="assets-done">
          {done}
        </FocusAlert>
      )}
      <ErrorAlert error={error} heading="That did not work" />
      {isAdmin && editing === null && (
        <p>
          <Button type="button" onClick={() => setEditing('new')}>
            Declare asset
          </Button>
        </p>
      )}
      {editing !== null && (
        <AssetForm
          orgId={orgId}
          initial={editing === 'new' ? undefined : editing}
          onSaved={(a) => {
            setEditing(null);
            setDone(`${a.name} saved.`);
            load();
          }}
          onCancel={() => setEditing(null)}
        />
      )}
      {assets && assets.length === 0 ? (
        <EmptyState>
          <p data-testid="assets-none">
            <strong>No named assets yet.</strong>
          </p>
          {isAdmin && <p>Declare one with “Declare asset”: a name and its network ranges.</p>}
        </EmptyState>
      ) : (
        assets && (
          <ScrollTable caption="Named assets" testId="assets-table">
            <thead>
              <tr>
                <th scope="col">Asset</th>
                <th scope="col">Ranges</th>
                <th scope="col">Inventory</th>
                <th scope="col">Label</th>
                {isAdmin && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {assets.map((a) => (
                <tr key={a.id}>
                  <th scope="row">
                    {a.name}
                    <div className="font-sans-3xs text-base">{a.id}</div>
                  </th>
                  <td>{a.ranges.length ? a.ranges.map((r) => <code key={r} className="display-block">{r}</code>) : '—'}</td>
                  <td>{a.inventoryId ? <AppLink href={`/inventories/${a.inventoryId}`}>{a.inventoryName ?? a.inventoryId}</AppLink> : '—'}</td>
                  <td>
                    <TlpTag tlp={a.label.tlp} />
                  </td>
                  {isAdmin && (
                    <td className="ch-nowrap">
                      <Button type="button" unstyled onClick={() => setEditing(a)}>
                        Change
                      </Button>{' '}
                      {outOfAll.has(a.id) ? (
                        <span className="usa-tag">Out of every campaign</span>
                      ) : (
                        <Button type="button" unstyled onClick={() => void act(() => client.optOut(orgId, { assetId: a.id }), `${a.name} is opted out of every campaign.`)}>
                          Opt out of every campaign
                        </Button>
                      )}{' '}
                      <Button type="button" unstyled className="text-secondary" onClick={() => void act(() => client.removeAsset(orgId, a.id), `${a.name} removed.`)}>
                        Remove
                      </Button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </ScrollTable>
        )
      )}
      {optOuts && (
        <Panel id="org-opt-outs" heading="Opt-outs">
          {optOuts.length === 0 ? (
            <p data-testid="org-opt-outs-none">No asset is opted out.</p>
          ) : (
            <OptOutTable items={optOuts} caption="Your organisation’s opt-outs" onWithdraw={isAdmin ? (o) => void act(() => client.withdrawOptOut(orgId, o.id), `The opt-out of ${o.asset.name} is withdrawn.`) : undefined} />
          )}
        </Panel>
      )}
    </>
  );
}
