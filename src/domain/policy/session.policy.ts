import { rule } from './rule.ts';

/** The actor's own session and password: the only calls left open while a one-time password is unchanged. */
export const sessionPolicy = {
  'session.read': rule<null>({ what: 'session', need: 'read', whilePasswordPending: true }),
  'session.sign-out': rule<null>({ what: 'session', need: 'public', whilePasswordPending: true }),
  // Ending every session is a state change: it needs the write scope and a settled password.
  'session.revoke-all': rule<null>({ what: 'session', need: 'write' }),
  'self.change-password': rule<null>({ what: 'user', need: 'write', whilePasswordPending: true }),
};
