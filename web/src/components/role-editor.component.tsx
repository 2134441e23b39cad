import type { ChangeEvent } from 'react';
// Roles within an organisation: the two built-in ones as checkboxes plus free-text restricted (need-to-know) roles.
import { Checkbox, Fieldset, Label, TextInput } from '@trussworks/react-uswds';
import type { RoleDraft } from '../roles.ts';

export { draftFromRoles, rolesFromDraft, type RoleDraft } from '../roles.ts';

export function RoleEditor({ idPrefix, value, onChange, legend = 'Roles' }: { idPrefix: string; value: RoleDraft; onChange: (draft: RoleDraft) => void; legend?: string }) {
  return (
    <Fieldset legend={legend} className="margin-top-2">
      <Checkbox
        id={`${idPrefix}-role-member`}
        name={`${idPrefix}-roles`}
        label="Member"
        labelDescription="Sees the organisation's records."
        checked={value.member}
        onChange={(e: ChangeEvent<HTMLInputElement>) => onChange({ ...value, member: e.target.checked })}
      />
      <Checkbox
        id={`${idPrefix}-role-admin`}
        name={`${idPrefix}-roles`}
        label="Administrator"
        labelDescription="Manages the organisation's members and users."
        checked={value.admin}
        onChange={(e: ChangeEvent<HTMLInputElement>) => onChange({ ...value, admin: e.target.checked })}
      />
      <Label htmlFor={`${idPrefix}-restricted`}>Restricted roles</Label>
      <span className="usa-hint" id={`${idPrefix}-restricted-hint`}>
        Optional need-to-know roles, separated by commas, for example designation-reviewer.
      </span>
      <TextInput
        id={`${idPrefix}-restricted`}
        name={`${idPrefix}-restricted`}
        type="text"
        aria-describedby={`${idPrefix}-restricted-hint`}
        autoCapitalize="off"
        spellCheck={false}
        value={value.restricted}
        onChange={(e: ChangeEvent<HTMLInputElement>) => onChange({ ...value, restricted: e.target.value })}
      />
    </Fieldset>
  );
}
