import { ForbiddenError, NotFoundError, PasswordChangeRequiredError, UnauthenticatedError } from '../errors.ts';
import type { Principal } from './access-label.ts';
import { advisoryPolicy } from './advisory.policy.ts';
import { auditPolicy } from './audit.policy.ts';
import { campaignPolicy } from './campaign.policy.ts';
import { casePolicy } from './case.policy.ts';
import { caseThreadPolicy } from './case-thread.policy.ts';
import { findingPolicy } from './finding.policy.ts';
import { triagePolicy } from './triage.policy.ts';
import { notificationPolicy } from './notification.policy.ts';
import { inventoryFindingPolicy } from './inventory-finding.policy.ts';
import { dashboardPolicy } from './dashboard.policy.ts';
import { inventoryPolicy } from './inventory.policy.ts';
import { invitationPolicy } from './invitation.policy.ts';
import { labelPolicy } from './label.policy.ts';
import { membershipPolicy } from './membership.policy.ts';
import { organisationPolicy } from './organisation.policy.ts';
import { isOperator } from './predicates.ts';
import type { Rule } from './rule.ts';
import { sessionPolicy } from './session.policy.ts';
import { tokenPolicy } from './token.policy.ts';
import { userPolicy } from './user.policy.ts';

/** Every rule of every record type; an action not listed here cannot be authorised at all. */
export const POLICIES = {
  ...organisationPolicy,
  ...membershipPolicy,
  ...userPolicy,
  ...tokenPolicy,
  ...inventoryPolicy,
  ...auditPolicy,
  ...sessionPolicy,
  ...invitationPolicy,
  ...labelPolicy,
  ...advisoryPolicy,
  ...findingPolicy,
  ...campaignPolicy,
  ...triagePolicy,
  ...casePolicy,
  ...caseThreadPolicy,
  ...notificationPolicy,
  ...inventoryFindingPolicy,
  ...dashboardPolicy,
};

export type Action = keyof typeof POLICIES;
export type RecordOf<A extends Action> = (typeof POLICIES)[A] extends Rule<infer R> ? R : never;

/**
 * The guards every call passes before its rule is asked: signed in (unless the rule is public), one-time password
 * replaced, token scope held. The operator (server and CLI on the machine) passes them all.
 */
function guard(actor: Principal, r: Pick<Rule<unknown>, "need" | "whilePasswordPending">): void {
  if (isOperator(actor)) return;
  if (actor.userId === null) {
    if (r.need === 'public') return;
    throw new UnauthenticatedError();
  }
  if (actor.mustChangePassword && !r.whilePasswordPending) throw new PasswordChangeRequiredError();
  const scope = r.need === 'public' ? 'read' : r.need;
  if (!actor.scopes.has(scope)) throw new ForbiddenError(`this token lacks the "${scope}" scope`);
}

/**
 * Only the guards of an action, for the start of a use case that must refuse an anonymous or under-scoped caller
 * before it looks anything up (so that the refusal cannot depend on what exists).
 */
export function guardFor(actor: Principal, action: Action): void {
  guard(actor, POLICIES[action]);
}

/**
 * The one entry for access decisions on a record in hand (in the manner of Outline's `authorize`): throws
 * not-found for a record the actor may not read, exactly as if it did not exist (existence is information), and
 * forbidden only where the actor may read it but not do this. Lists do not come here: their repositories apply the
 * same rules as SQL over the actor's scope.
 */
export function authorize<A extends Action>(actor: Principal, action: A, record: RecordOf<A>, now: Date): void {
  const r = POLICIES[action] as Rule<RecordOf<A>>;
  guard(actor, r);
  if (r.visible && !r.visible(actor, record, now)) throw new NotFoundError(r.what);
  if (r.allow) {
    const verdict = r.allow(actor, record, now);
    if (verdict !== true) throw new ForbiddenError(verdict);
  }
}

/** The same decision as a yes/no, for choosing between paths (e.g. add directly or invite) rather than refusing. */
export function allows<A extends Action>(actor: Principal, action: A, record: RecordOf<A>, now: Date): boolean {
  try {
    authorize(actor, action, record, now);
    return true;
  } catch {
    return false;
  }
}
