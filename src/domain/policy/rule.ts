import type { Principal, Scope } from './access-label.ts';

/**
 * One rule of a policy file. `need` is the guard (who may even ask); `visible` decides whether the record exists for
 * the actor (false answers not-found, as if it were absent); `allow` decides whether a reader may act (true, or the
 * reason it may not, which becomes a forbidden answer). Anything a rule does not allow is denied.
 */
export interface Rule<R> {
  /** What a not-found answer names ("organisation", "user"...). */
  what: string;
  /** 'public': anonymous callers too (signed-in callers still pass the guards); otherwise the token scope required. */
  need: 'public' | Scope;
  /** Allowed while the actor's one-time password is still unchanged (only for replacing it, and signing out). */
  whilePasswordPending?: boolean;
  visible?: (actor: Principal, record: R, now: Date) => boolean;
  allow?: (actor: Principal, record: R, now: Date) => true | string;
}

export type Rules = Record<string, Rule<any>>;

export function rule<R>(r: Rule<R>): Rule<R> {
  return r;
}
