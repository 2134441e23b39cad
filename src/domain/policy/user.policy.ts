import type { Principal } from './access-label.ts';
import { administeredOrgIds, hasScope, isSelf, isSiteAdmin } from './predicates.ts';
import { rule } from './rule.ts';

export interface UserRecord {
  id: string;
  /** Organisations the user is a member of. */
  organisationIds: readonly string[];
}

export interface NewUserRecord {
  siteAdmin: boolean;
  organisationIds: readonly string[];
}

export interface UserChangeRecord extends UserRecord {
  /** The change touches `disabled` or `siteAdmin`, which only site administrators change. */
  changesFlags: boolean;
}

/** Site administrators see everyone; organisation administrators their organisations' members; others themselves. */
export function seesUser(a: Principal, u: UserRecord): boolean {
  if (isSiteAdmin(a) || isSelf(a, u.id)) return true;
  const mine = administeredOrgIds(a);
  return u.organisationIds.some((o) => mine.includes(o));
}

/** The same rule as a scope a repository turns into SQL (src/store/user.repository.ts). */
export interface UserScope {
  all: boolean;
  selfId: string | null;
  administeredOrgIds: string[];
}

export function userScope(a: Principal): UserScope {
  return { all: isSiteAdmin(a), selfId: a.userId, administeredOrgIds: administeredOrgIds(a) };
}

export const userPolicy = {
  'user.list': rule<null>({ what: 'user', need: 'read' }),
  'user.read': rule<UserRecord>({ what: 'user', need: 'read', visible: seesUser }),
  'user.create': rule<NewUserRecord>({
    what: 'user',
    need: 'admin',
    allow: (a, u) => {
      if (isSiteAdmin(a)) return true;
      const mine = administeredOrgIds(a);
      if (mine.length === 0) return 'only site administrators and organisation administrators create users';
      if (u.siteAdmin) return 'only site administrators create site administrators';
      if (u.organisationIds.length === 0 || u.organisationIds.some((o) => !mine.includes(o))) {
        return 'organisation administrators create users only into organisations they administer';
      }
      return true;
    },
  }),
  /** Site administrators see every user, so only they are told that an e-mail address is taken. */
  'user.learn-existence': rule<null>({ what: 'user', need: 'admin', allow: (a) => isSiteAdmin(a) || 'only site administrators see every user' }),
  'user.update': rule<UserChangeRecord>({
    what: 'user',
    need: 'write',
    visible: seesUser,
    // Changing one's own name is everyday writing; changing anyone else, or any account's flags, is administration
    // and needs the `admin` scope even from a site administrator (a leaked `write` token must not rename or disable
    // other people).
    allow: (a, u) => {
      if (isSelf(a, u.id) && !u.changesFlags) return true;
      if (isSiteAdmin(a)) return hasScope(a, 'admin') || 'this token lacks the "admin" scope';
      return 'only site administrators change other users, or disable and promote anyone';
    },
  }),
  'user.reset-password': rule<UserRecord>({
    what: 'user',
    need: 'admin',
    visible: seesUser,
    allow: (a) => isSiteAdmin(a) || 'only site administrators can do this',
  }),
};
