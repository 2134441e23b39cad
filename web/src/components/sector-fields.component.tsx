// The CISA critical-infrastructure sectors of an infrastructure operator, as a group of checkboxes (new and edit forms).
import type { ChangeEvent } from 'react';
import { Checkbox, Fieldset } from '@trussworks/react-uswds';
import { SECTORS, type Sector } from '../api.ts';
import { HintAndError } from './common.component.tsx';
import { humanize } from './labels.component.tsx';

export function SectorFields({
  idPrefix,
  checkboxIdPrefix,
  hint,
  error,
  value,
  onChange,
}: {
  idPrefix: string;
  checkboxIdPrefix: string;
  hint?: string;
  error?: string | undefined;
  value: Sector[];
  /** Called with an updater, so quick successive ticks each see the previous one (a state setter fits). */
  onChange: (update: (current: Sector[]) => Sector[]) => void;
}) {
  const hintId = hint ? `${idPrefix}-sectors-hint` : undefined;
  const errorId = error ? `${idPrefix}-sectors-error` : undefined;
  return (
    <div className={`usa-form-group${error ? ' usa-form-group--error' : ''}`}>
      <Fieldset legend="Sectors" aria-describedby={[hintId, errorId].filter(Boolean).join(' ') || undefined}>
        <HintAndError hint={hint} hintId={hintId} error={error} errorId={errorId} />
        <div className="ch-checkbox-columns">
          {SECTORS.map((sector) => (
            <Checkbox
              key={sector}
              id={`${checkboxIdPrefix}-${sector}`}
              name="sectors"
              value={sector}
              label={humanize(sector)}
              checked={value.includes(sector)}
              onChange={(e: ChangeEvent<HTMLInputElement>) => {
                const on = e.target.checked;
                onChange((current) => (on ? [...current, sector] : current.filter((s) => s !== sector)));
              }}
            />
          ))}
        </div>
      </Fieldset>
    </div>
  );
}
