// The access label of a record as form fields: TLP, embargo end and need-to-know role, checked before sending.
import type { ChangeEvent } from 'react';
import { Select, TextInput } from '@trussworks/react-uswds';
import { TLP_LEVELS, type AccessLabel, type LabelPatch, type Tlp } from '../api.ts';
import { ROLE_NAME_PATTERN } from '../roles.ts';
import { Field, localTimeZone } from './common.component.tsx';

/** The TLP 2.0 choice as a form field; records and organisations both carry one. */
export function TlpField({ id, hint, error, value, onChange }: { id: string; hint: string; error?: string | undefined; value: Tlp; onChange: (tlp: Tlp) => void }) {
  return (
    <Field id={id} label="TLP label" hint={hint} error={error}>
      {(control, invalid) => (
        <Select {...control} validationStatus={invalid ? 'error' : undefined} name="tlp" value={value} onChange={(e: ChangeEvent<HTMLSelectElement>) => onChange(e.target.value as Tlp)}>
          {TLP_LEVELS.map((t) => (
            <option key={t} value={t}>
              TLP:{t}
            </option>
          ))}
        </Select>
      )}
    </Field>
  );
}

export interface LabelDraft {
  tlp: Tlp;
  /** A `datetime-local` value in the browser's time zone, or '' for no embargo. */
  embargo: string;
  restricted: string;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** An ISO instant as a `datetime-local` value in the browser's zone (what the input shows). */
export function toLocalInput(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function draftFromLabel(label: AccessLabel): LabelDraft {
  return { tlp: label.tlp, embargo: toLocalInput(label.embargoUntil), restricted: label.restricted ?? '' };
}

const restrictedPattern = new RegExp(ROLE_NAME_PATTERN);

/** The label fields' problems by field, or the patch to send. Empty fields clear embargo and restriction. */
export function labelFromDraft(draft: LabelDraft): { errors: Partial<Record<'embargo' | 'restricted', string>> } | { label: LabelPatch } {
  const errors: Partial<Record<'embargo' | 'restricted', string>> = {};
  let embargoUntil: string | null = null;
  if (draft.embargo) {
    const d = new Date(draft.embargo);
    if (Number.isNaN(d.getTime())) errors.embargo = 'Enter the embargo end as a date and time, or leave it empty.';
    else embargoUntil = d.toISOString();
  }
  const restricted = draft.restricted.trim();
  if (restricted && !restrictedPattern.test(restricted))
    errors.restricted = 'A role name is 2 to 63 lower-case letters, digits or hyphens, starting with a letter (for example designation-reviewer).';
  if (errors.embargo || errors.restricted) return { errors };
  return { label: { tlp: draft.tlp, embargoUntil, restricted: restricted || null } };
}

export function LabelFields({
  idPrefix,
  value,
  onChange,
  errors = {},
}: {
  idPrefix: string;
  value: LabelDraft;
  onChange: (draft: LabelDraft) => void;
  errors?: Partial<Record<'tlp' | 'embargo' | 'restricted', string>>;
}) {
  return (
    <>
      <TlpField id={`${idPrefix}-tlp`} hint="Who may read it (Traffic Light Protocol 2.0)." error={errors.tlp} value={value.tlp} onChange={(tlp) => onChange({ ...value, tlp })} />
      <Field
        id={`${idPrefix}-embargo`}
        label="Embargo until (optional)"
        hint={`Date and time in your time zone (${localTimeZone()}). Until then only the owner and government coordinators can read it.`}
        error={errors.embargo}
      >
        {(control) => (
          // react-uswds's TextInput has no datetime-local type; the plain input with USWDS's class looks the same.
          <input
            {...control}
            className={`usa-input${control['aria-invalid'] ? ' usa-input--error' : ''}`}
            name="embargoUntil"
            type="datetime-local"
            value={value.embargo}
            onChange={(e: ChangeEvent<HTMLInputElement>) => onChange({ ...value, embargo: e.target.value })}
          />
        )}
      </Field>
      <Field
        id={`${idPrefix}-restricted`}
        label="Need-to-know role (optional)"
        hint="Only readers holding this role may see it, e.g. designation-reviewer."
        error={errors.restricted}
      >
        {(control, invalid) => (
          <TextInput {...control} validationStatus={invalid ? 'error' : undefined} name="restricted" type="text" autoCapitalize="off" spellCheck={false} value={value.restricted} onChange={(e: ChangeEvent<HTMLInputElement>) => onChange({ ...value, restricted: e.target.value })} />
        )}
      </Field>
    </>
  );
}
