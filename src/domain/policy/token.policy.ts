import { hasScope, isOperator, isSelf, isSiteAdmin, viaToken } from './predicates.ts';
import { rule } from './rule.ts';

export interface TokenRecord {
  userId: string;
}

export const tokenPolicy = {
  // The list of someone else's tokens does not exist for a caller who is not a site administrator.
  'token.list': rule<TokenRecord>({ what: 'user', need: 'read', visible: (a, t) => isSelf(a, t.userId) || isSiteAdmin(a) }),
  /**
   * Through the API only a signed-in person mints, never a token, so a leaked token cannot breed. The CLI mints for
   * any user as the operator of the machine.
   */
  'token.create': rule<TokenRecord>({
    what: 'user',
    need: 'write',
    allow: (a, t) => {
      if (viaToken(a)) return 'an API token cannot create tokens; sign in to create one';
      return isSelf(a, t.userId) || isOperator(a) || 'you can only create tokens for yourself';
    },
  }),
  // Revoking one's own token is everyday writing; revoking someone else's (site administrators only) is
  // administration and needs the `admin` scope.
  'token.revoke': rule<TokenRecord>({
    what: 'token',
    need: 'write',
    visible: (a, t) => isSelf(a, t.userId) || isSiteAdmin(a),
    allow: (a, t) => isSelf(a, t.userId) || hasScope(a, 'admin') || 'this token lacks the "admin" scope',
  }),
};
