import type { ChangeEvent } from 'react';
// Roles within an organisation: the two built-in ones as checkboxes plus free-text restricted (need-to-know) roles.
import { Checkbox, Fieldset, Label, TextInput } from '@trussworks/react-uswds';
import { parseRoleList } from './common.component.tsx';

export const BUILT_IN_ROLES = ['admin', 'member'] as const;
// Restricted role names are kebab-case identifiers such as `designation-reviewer`.
const ROLE_NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

export interface RoleDraft {
  admin: boolean;
  member: boolean;
  restricted: string;
}

export function draftFromRoles(roles: string[]): RoleDraft {
  return {
    admin: roles.includes('admin'),
    member: roles.includes('member'),
    restricted: roles.filter((r) => !(BUILT_IN_ROLES as readonly string[]).includes(r)).join(', '),
  };
}

/** The role list to send, or a message saying what is wrong with the draft. */
export function rolesFromDraft(draft: RoleDraft): { roles: string[] } | { problem: string } {
  const restricted = parseRoleList(draft.restricted);
  const bad = restricted.filter((r) => !ROLE_NAME.test(r));
  if (bad.length > 0)
    return { problem: `Restricted role names use lower-case letters, digits and hyphens (for example designation-reviewer): ${bad.join(', ')}` };
  const roles = [...(draft.admin ? ['admin'] : []), ...(draft.member ? ['member'] : []), ...restricted.filter((r) => r !== 'admin' && r !== 'member')];
  if (roles.length === 0) return { problem: 'Choose at least one role.' };
  return { roles };
}

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
