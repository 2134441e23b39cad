import { readerFacts, type AccessLabel, type Principal, type ReaderFacts } from './access-label.ts';
import { isSystem, labelAllows } from './predicates.ts';
import { rule } from './rule.ts';

export const PARTICIPANT_ROLES = ['reporter', 'vendor', 'coordinator', 'observer'] as const;
export type ParticipantRole = (typeof PARTICIPANT_ROLES)[number];

/**
 * A coordinated disclosure case (issue 9): a labelled record owned by the organisation that opened it. Its
 * participants are the label's sharedWith list (case_participants is the share table), so every read, list and count
 * of the case and of what hangs off it (thread, vendor statuses, attachments) obeys one rule.
 */
export interface CaseRecord {
  label: AccessLabel;
  /** Participant organisation id -> role. */
  participants: ReadonlyMap<string, ParticipantRole>;
}

export const seesCase = (a: Principal, c: CaseRecord, now: Date) => isSystem(a) || labelAllows(a, c.label, now);

export interface CaseScope {
  all: boolean;
  facts: ReaderFacts;
  now: string;
}

export function caseScope(a: Principal, now: Date): CaseScope {
  return { all: isSystem(a), facts: readerFacts(a), now: now.toISOString() };
}

/** The roles the actor holds on this case through its organisations. */
export function rolesOn(a: Principal, c: CaseRecord): Set<ParticipantRole> {
  const roles = new Set<ParticipantRole>();
  for (const org of a.memberships.keys()) {
    const r = c.participants.get(org);
    if (r) roles.add(r);
  }
  return roles;
}

export const casePolicy = {
  'case.list': rule<null>({ what: 'case', need: 'read' }),
  'case.read': rule<CaseRecord>({ what: 'case', need: 'read', visible: seesCase }),
};
