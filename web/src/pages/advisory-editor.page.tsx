// The advisory editor: a form for the common fields and the raw OSV JSON beside it, kept in sync both ways (the JSON
// holds everything, the form a part of it), with the CVSS calculator, the access label and the organisations it is
// shared with. The server validates the record against the OSV schema; its errors land next to the field they name.
import { useEffect, useMemo, useState, type ChangeEvent, type FormEvent } from 'react';
import { Button, Checkbox, Fieldset, Form, Select, Textarea, TextInput } from '@trussworks/react-uswds';
import { api, ApiError, type Organisation } from '../api.ts';
import { advisoryApi, type AdvisoryView, type OsvRecordJson } from '../api-advisories.ts';
import {
  COMMON_ECOSYSTEMS,
  draftFromRecord,
  draftProblems,
  emptyAffected,
  emptyDraft,
  errorsAfterEdit,
  errorsByField,
  newRecord,
  parseRecordText,
  RANGE_TYPES,
  recordFromDraft,
  recordText,
  REFERENCE_TYPES,
  SEVERITY_TYPES,
  withVector,
  type AdvisoryDraft,
  type AffectedDraft,
} from '../advisory-form.ts';
import { Breadcrumbs, ErrorAlert, Field, focusFirstInvalid, PageHeading, Panel } from '../components/common.component.tsx';
import { CvssCalculator } from '../components/cvss-calculator.component.tsx';
import { draftFromLabel, LabelFields, labelFromDraft, type LabelDraft } from '../components/label-fields.component.tsx';
import { AppLink, navigate } from '../router.tsx';
import { useSession } from '../session.context.tsx';

/** A text input or textarea inside a Field, marked invalid when its key has an error. */
function TextRow({
  id,
  label,
  hint,
  error,
  value,
  onChange,
  multiline,
  maxLength = 1000,
}: {
  id: string;
  label: string;
  hint?: string;
  error: string | undefined;
  value: string;
  onChange: (v: string) => void;
  multiline?: boolean;
  maxLength?: number;
}) {
  return (
    <Field id={id} label={label} hint={hint} error={error}>
      {(control, invalid) =>
        multiline ? (
          <Textarea {...control} error={invalid} name={id} maxLength={maxLength} value={value} onChange={(e: ChangeEvent<HTMLTextAreaElement>) => onChange(e.target.value)} />
        ) : (
          <TextInput {...control} validationStatus={invalid ? 'error' : undefined} type="text" name={id} maxLength={maxLength} value={value} onChange={(e: ChangeEvent<HTMLInputElement>) => onChange(e.target.value)} />
        )
      }
    </Field>
  );
}

function AffectedFields({
  index,
  value,
  errors,
  onChange,
  onRemove,
}: {
  index: number;
  value: AffectedDraft;
  errors: Record<string, string>;
  onChange: (a: AffectedDraft) => void;
  onRemove: () => void;
}) {
  const key = (k: keyof AffectedDraft) => `affected.${index}.${k}`;
  const id = (k: string) => `adv-affected-${index}-${k}`;
  const set = (k: keyof AffectedDraft) => (v: string) => onChange({ ...value, [k]: v });
  return (
    <Fieldset legend={`Affected package ${index + 1}`} className="ch-panel">
      <div className="grid-row grid-gap">
        <div className="tablet:grid-col-6">
          <Field id={id('ecosystem')} label="Ecosystem" error={errors[key('ecosystem')]}>
            {(control, invalid) => (
              <>
                <TextInput {...control} validationStatus={invalid ? 'error' : undefined} type="text" name={id('ecosystem')} list="editor-ecosystems" maxLength={100} value={value.ecosystem} onChange={(e: ChangeEvent<HTMLInputElement>) => set('ecosystem')(e.target.value)} />
              </>
            )}
          </Field>
        </div>
        <div className="tablet:grid-col-6">
          <TextRow id={id('name')} label="Package name" error={errors[key('name')]} value={value.name} onChange={set('name')} maxLength={500} />
        </div>
        <div className="tablet:grid-col-3">
          <Field id={id('range-type')} label="Range type" error={errors[key('rangeType')]}>
            {(control, invalid) => (
              <Select {...control} validationStatus={invalid ? 'error' : undefined} name={id('range-type')} value={value.rangeType} onChange={(e: ChangeEvent<HTMLSelectElement>) => set('rangeType')(e.target.value)}>
                {[...new Set([...RANGE_TYPES, value.rangeType])].map((t) => (
                  <option key={t} value={t}>
                    {t}
                  </option>
                ))}
              </Select>
            )}
          </Field>
        </div>
        <div className="tablet:grid-col-3">
          <TextRow id={id('introduced')} label="Introduced" hint="0 for every earlier version." error={errors[key('introduced')]} value={value.introduced} onChange={set('introduced')} maxLength={200} />
        </div>
        <div className="tablet:grid-col-3">
          <TextRow id={id('fixed')} label="Fixed in" hint="Empty when there is no fix." error={errors[key('fixed')]} value={value.fixed} onChange={set('fixed')} maxLength={200} />
        </div>
        <div className="tablet:grid-col-3">
          <TextRow id={id('last-affected')} label="Last affected" hint="Instead of a fix." error={errors[key('lastAffected')]} value={value.lastAffected} onChange={set('lastAffected')} maxLength={200} />
        </div>
        <div className="tablet:grid-col-12">
          <TextRow id={id('versions')} label="Affected versions (optional)" hint="One a line; listed versions are affected in addition to the range." error={errors[key('versions')]} value={value.versions} onChange={set('versions')} multiline maxLength={100_000} />
        </div>
      </div>
      <Button type="button" unstyled onClick={onRemove} className="margin-top-1">
        Remove affected package {index + 1}
      </Button>
    </Fieldset>
  );
}

export function AdvisoryEditorPage({ advisoryId }: { advisoryId?: string }) {
  const session = useSession();
  const client = useMemo(() => advisoryApi(session.csrfToken), [session.csrfToken]);
  const [existing, setExisting] = useState<AdvisoryView | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [record, setRecord] = useState<Partial<OsvRecordJson>>(() => newRecord());
  const [draft, setDraft] = useState<AdvisoryDraft>(() => emptyDraft());
  const [jsonText, setJsonText] = useState(() => recordText(recordFromDraft(emptyDraft(), newRecord())));
  const [jsonError, setJsonError] = useState<string | null>(null);
  const [label, setLabel] = useState<LabelDraft>({ tlp: 'AMBER', embargo: '', restricted: '' });
  const [sharedWith, setSharedWith] = useState<string[]>([]);
  const [orgId, setOrgId] = useState(session.memberships.length === 1 ? session.memberships[0]!.organisationId : '');
  const [organisations, setOrganisations] = useState<Organisation[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!advisoryId) return;
    let live = true;
    client.get(advisoryId).then(
      (a) => {
        if (!live) return;
        setExisting(a);
        setRecord(a.record);
        setDraft(draftFromRecord(a.record));
        setJsonText(recordText(a.record));
        setLabel(draftFromLabel({ owner: a.organisationId, tlp: a.label.tlp, embargoUntil: a.label.embargoUntil, restricted: a.label.restricted }));
        setSharedWith(a.label.sharedWith);
        setOrgId(a.organisationId);
      },
      (err) => live && setLoadError(err),
    );
    return () => {
      live = false;
    };
  }, [client, advisoryId]);

  useEffect(() => {
    // The organisations an advisory can be shared with; the first page is plenty for a choice list.
    api.listOrganisations({ limit: 100 }).then(
      (p) => setOrganisations(p.items),
      () => setOrganisations([]),
    );
  }, []);

  /** A form edit: the record follows, and the JSON view shows it (it was valid, or the form could not be used). */
  const editDraft = (next: AdvisoryDraft, base: Partial<OsvRecordJson> = record) => {
    setErrors((e) => {
      const kept = errorsAfterEdit(e, draft, next);
      delete kept.json;
      return kept;
    });
    setDraft(next);
    const rec = recordFromDraft(next, base);
    setRecord(rec);
    setJsonText(recordText(rec));
    setJsonError(null);
  };

  /** A JSON edit: when it parses the form follows; until then the form keeps the last valid record. */
  const editJson = (text: string) => {
    setJsonText(text);
    setErrors((e) => {
      const { json: _dropped, ...rest } = e;
      return rest;
    });
    const parsed = parseRecordText(text);
    if (!parsed.ok) return setJsonError(parsed.message);
    setJsonError(null);
    setRecord(parsed.record);
    setDraft(draftFromRecord(parsed.record));
  };

  const removeAffected = (i: number) => {
    // The record's entry goes too, so the rows below keep their own hidden fields (further ranges etc.).
    const base = { ...record, affected: Array.isArray(record.affected) ? record.affected.filter((_, j) => j !== i) : [] };
    editDraft({ ...draft, affected: draft.affected.filter((_, j) => j !== i) }, base);
  };

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const found: Record<string, string> = {};
    const parsed = parseRecordText(jsonText);
    if (!parsed.ok) found.json = parsed.message;
    else Object.assign(found, draftProblems(draft));
    if (!existing && !orgId) found.organisation = 'Choose the organisation that publishes the advisory.';
    const labelResult = labelFromDraft(label);
    if ('errors' in labelResult) for (const [k, v] of Object.entries(labelResult.errors)) found[`label.${k}`] = v;
    setErrors(found);
    if (Object.keys(found).length > 0 || !parsed.ok || 'errors' in labelResult) return focusFirstInvalid(form);
    const body = {
      record: parsed.record,
      label: { tlp: labelResult.label.tlp!, embargoUntil: labelResult.label.embargoUntil ?? null, restricted: labelResult.label.restricted ?? null, sharedWith },
    };
    setBusy(true);
    setError(null);
    try {
      const saved = existing ? await client.update(existing.id, existing.version, body) : await client.create({ ...body, organisationId: orgId });
      navigate(`/advisories/${encodeURIComponent(saved.id)}`);
    } catch (err) {
      setBusy(false);
      if (err instanceof ApiError && err.status === 412) {
        setError(new Error('The advisory was changed by someone else since you opened it. Copy your JSON, reload the page, and apply your change again.'));
        return;
      }
      setError(err);
      const byField = err instanceof ApiError ? errorsByField(err.problem.errors) : {};
      setErrors(byField);
      if (Object.keys(byField).length > 0) focusFirstInvalid(form);
    }
  };

  if (loadError)
    return (
      <>
        <Breadcrumbs parent={{ href: '/advisories', label: 'Advisories' }} current={advisoryId ?? 'New'} />
        <PageHeading>{loadError instanceof ApiError && loadError.status === 404 ? 'Advisory not found' : 'The advisory could not be loaded'}</PageHeading>
        <ErrorAlert error={loadError} />
      </>
    );
  if (advisoryId && !existing)
    return (
      <p role="status" className="margin-top-4">
        Loading…
      </p>
    );
  if (!existing && session.memberships.length === 0)
    return (
      <>
        <PageHeading>New advisory</PageHeading>
        <p>You are not a member of any organisation, so you cannot author an advisory. Ask an administrator to add you to one.</p>
      </>
    );

  const err = (k: string) => errors[k];
  const owner = existing?.organisationId ?? orgId;
  return (
    <>
      <Breadcrumbs parent={{ href: '/advisories', label: 'Advisories' }} current={existing ? `Edit ${existing.id}` : 'New advisory'} />
      <PageHeading>{existing ? `Edit ${existing.id}` : 'New advisory'}</PageHeading>
      <p>
        Fill in the form or edit the OSV record as JSON below: each follows the other. The server assigns the id and
        dates{existing && existing.state !== 'draft' ? '; saving a published advisory makes a new revision' : ''}.
      </p>
      <ErrorAlert error={error} heading="The advisory was not saved" />
      <datalist id="editor-ecosystems">
        {COMMON_ECOSYSTEMS.map((e) => (
          <option key={e} value={e} />
        ))}
      </datalist>
      <Form onSubmit={submit} large noValidate className="maxw-none">
        {!existing && session.memberships.length > 1 && (
          <Field id="adv-organisation" label="Organisation" error={err('organisation')}>
            {(control, invalid) => (
              <Select {...control} validationStatus={invalid ? 'error' : undefined} name="organisation" value={orgId} onChange={(e: ChangeEvent<HTMLSelectElement>) => setOrgId(e.target.value)}>
                <option value="">- Select -</option>
                {session.memberships.map((m) => (
                  <option key={m.organisationId} value={m.organisationId}>
                    {m.organisationName}
                  </option>
                ))}
              </Select>
            )}
          </Field>
        )}
        <TextRow id="adv-summary" label="Summary" hint="One line, as it appears in lists and feeds." error={err('summary')} value={draft.summary} onChange={(summary) => editDraft({ ...draft, summary })} maxLength={500} />
        <TextRow id="adv-details" label="Details" hint="What is vulnerable, how, and what to do (Markdown)." error={err('details')} value={draft.details} onChange={(details) => editDraft({ ...draft, details })} multiline maxLength={100_000} />
        <TextRow id="adv-aliases" label="Aliases (optional)" hint="Other ids of the same vulnerability (CVE-…, GHSA-…), one a line." error={err('aliases')} value={draft.aliases} onChange={(aliases) => editDraft({ ...draft, aliases })} multiline maxLength={10_000} />

        <h2>Affected packages</h2>
        {draft.affected.map((a, i) => (
          <AffectedFields key={i} index={i} value={a} errors={errors} onChange={(next) => editDraft({ ...draft, affected: draft.affected.map((x, j) => (j === i ? next : x)) })} onRemove={() => removeAffected(i)} />
        ))}
        <Button type="button" outline onClick={() => editDraft({ ...draft, affected: [...draft.affected, emptyAffected()] })}>
          Add an affected package
        </Button>

        <h2>Severity</h2>
        {draft.severity.length === 0 && <p>No CVSS vector yet: build one with the calculator.</p>}
        {draft.severity.map((s, i) => (
          <div className="grid-row grid-gap" key={i}>
            <div className="tablet:grid-col-3">
              <Field id={`adv-severity-${i}-type`} label={`Severity ${i + 1} type`}>
                {(control) => (
                  <Select {...control} name={`severity-${i}-type`} value={s.type} onChange={(e: ChangeEvent<HTMLSelectElement>) => editDraft({ ...draft, severity: draft.severity.map((x, j) => (j === i ? { ...x, type: e.target.value } : x)) })}>
                    {[...new Set([...SEVERITY_TYPES, s.type])].map((t) => (
                      <option key={t} value={t}>
                        {t}
                      </option>
                    ))}
                  </Select>
                )}
              </Field>
            </div>
            <div className="tablet:grid-col-7">
              <TextRow id={`adv-severity-${i}-score`} label={`Severity ${i + 1} vector`} error={err(`severity.${i}.score`)} value={s.score} onChange={(score) => editDraft({ ...draft, severity: draft.severity.map((x, j) => (j === i ? { ...x, score } : x)) })} maxLength={500} />
            </div>
            <div className="tablet:grid-col-2 margin-top-4">
              <Button type="button" unstyled onClick={() => editDraft({ ...draft, severity: draft.severity.filter((_, j) => j !== i) })}>
                Remove severity {i + 1}
              </Button>
            </div>
          </div>
        ))}
        <CvssCalculator initial={draft.severity} onUse={(version, vector) => editDraft({ ...draft, severity: withVector(draft.severity, version, vector) })} />

        <h2>References</h2>
        {draft.references.map((r, i) => (
          <div className="grid-row grid-gap" key={i}>
            <div className="tablet:grid-col-3">
              <Field id={`adv-reference-${i}-type`} label={`Reference ${i + 1} type`}>
                {(control) => (
                  <Select {...control} name={`reference-${i}-type`} value={r.type} onChange={(e: ChangeEvent<HTMLSelectElement>) => editDraft({ ...draft, references: draft.references.map((x, j) => (j === i ? { ...x, type: e.target.value } : x)) })}>
                    {[...new Set([...REFERENCE_TYPES, r.type])].map((t) => (
                      <option key={t} value={t}>
                        {t}
                      </option>
                    ))}
                  </Select>
                )}
              </Field>
            </div>
            <div className="tablet:grid-col-7">
              <TextRow id={`adv-reference-${i}-url`} label={`Reference ${i + 1} address`} error={err(`references.${i}.url`)} value={r.url} onChange={(url) => editDraft({ ...draft, references: draft.references.map((x, j) => (j === i ? { ...x, url } : x)) })} maxLength={2000} />
            </div>
            <div className="tablet:grid-col-2 margin-top-4">
              <Button type="button" unstyled onClick={() => editDraft({ ...draft, references: draft.references.filter((_, j) => j !== i) })}>
                Remove reference {i + 1}
              </Button>
            </div>
          </div>
        ))}
        <Button type="button" outline onClick={() => editDraft({ ...draft, references: [...draft.references, { type: 'ADVISORY', url: '' }] })}>
          Add a reference
        </Button>

        <h2>Who may read it</h2>
        <LabelFields idPrefix="adv-label" value={label} onChange={setLabel} errors={{ tlp: err('label.tlp'), embargo: err('label.embargo'), restricted: err('label.restricted') }} />
        <Fieldset legend="Also shared with (optional)" className="margin-top-3">
          <span className="usa-hint">Organisations that may read it besides those its TLP label admits.</span>
          {err('label.sharedWith') && <span className="usa-error-message">{err('label.sharedWith')}</span>}
          {organisations.filter((o) => o.id !== owner).length === 0 && <p>There are no other organisations to share it with.</p>}
          {organisations
            .filter((o) => o.id !== owner)
            .map((o) => (
              <Checkbox
                key={o.id}
                id={`adv-share-${o.id}`}
                name="sharedWith"
                label={o.name}
                checked={sharedWith.includes(o.id)}
                onChange={(e: ChangeEvent<HTMLInputElement>) => setSharedWith((s) => (e.target.checked ? [...s, o.id] : s.filter((x) => x !== o.id)))}
              />
            ))}
        </Fieldset>

        <Panel id="adv-json" heading="OSV record (JSON)">
          <Field id="adv-json-text" label="Raw OSV JSON" hint="The whole record, including what the form does not show (credits, database_specific, further ranges)." error={jsonError ?? err('json')}>
            {(control, invalid) => <Textarea {...control} error={invalid} className="ch-osv-input" name="json" spellCheck={false} value={jsonText} onChange={(e: ChangeEvent<HTMLTextAreaElement>) => editJson(e.target.value)} />}
          </Field>
        </Panel>

        <div className="margin-top-3">
          <Button type="submit" disabled={busy}>
            {busy ? 'Saving…' : existing ? 'Save advisory' : 'Create draft'}
          </Button>
          <AppLink href={existing ? `/advisories/${encodeURIComponent(existing.id)}` : '/advisories'} className="margin-left-2">
            Cancel
          </AppLink>
        </div>
      </Form>
    </>
  );
}
