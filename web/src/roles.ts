// Organisation roles as the forms edit them: two built-in roles plus free-text restricted (need-to-know) roles.

export const BUILT_IN_ROLES = ['admin', 'member'] as const;
// The server's rule for role names (RESTRICTED_ROLE_PATTERN in src/domain/policy; roles.test.ts keeps them equal).
export const ROLE_NAME_PATTERN = '^[a-z][a-z0-9-]{1,62}$';
const ROLE_NAME = new RegExp(ROLE_NAME_PATTERN);

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
    return {
      problem: `Restricted role names are 2 to 63 lower-case letters, digits and hyphens, starting with a letter (for example designation-reviewer): ${bad.join(', ')}`,
    };
  const roles = [...(draft.admin ? ['admin'] : []), ...(draft.member ? ['member'] : []), ...restricted.filter((r) => r !== 'admin' && r !== 'member')];
  if (roles.length === 0) return { problem: 'Choose at least one role.' };
  return { roles };
}

/** A comma- or space-separated role list, trimmed and de-duplicated. */
export function parseRoleList(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).map((r) => r.trim()).filter(Boolean))];
}
