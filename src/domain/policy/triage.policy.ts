import type { FindingRecord } from './finding.policy.ts';
import { seesFinding } from './finding.policy.ts';
import { isCoordinator, isOperator, isSelf, isSiteAdmin } from './predicates.ts';
import { rule } from './rule.ts';

/**
 * Access rules of triage (issue 9); see docs/ARCHITECTURE.md, "Access policy" and docs/triage.md. Triage is the
 * coordinators' work: members of a government organisation move a finding's state, score it and record SSVC, but
 * only on findings they can read (a RED finding of another organisation stays out of their reach, and answers as
 * absent). Everyone who reads a finding reads its triage history and the queue lists only what they read.
 */
const triages = (a: Parameters<typeof isCoordinator>[0]) => isOperator(a) || isCoordinator(a);

export const triagePolicy = {
  /** The queue: every signed-in reader; the repository lists only findings they may read. */
  'triage.queue': rule<null>({ what: 'finding', need: 'read' }),
  'triage.history': rule<FindingRecord>({ what: 'finding', need: 'read', visible: seesFinding }),
  'triage.write': rule<FindingRecord>({
    what: 'finding',
    need: 'write',
    visible: seesFinding,
    allow: (a) => triages(a) || 'only coordinators (members of a government organisation) triage findings',
  }),
  /**
   * Who made a change in a finding's history, by e-mail: the coordinators (who work on the same queue), the operator
   * and the person themself. Everyone else who reads the finding learns that a coordinator did it, not who: a GREEN
   * finding's readers are the whole community, and a user's e-mail is not theirs to read.
   */
  'triage.actor': rule<{ userId: string | null }>({
    what: 'user',
    need: 'read',
    visible: (a, r) => isOperator(a) || isCoordinator(a) || (r.userId !== null && isSelf(a, r.userId)),
  }),
  /** Loading CISA's catalogue changes every matching finding and advisory: site administrators and coordinators. */
  'kev.import': rule<null>({
    what: 'KEV catalogue',
    need: 'write',
    allow: (a) => isOperator(a) || isSiteAdmin(a) || isCoordinator(a) || 'only site administrators and coordinators import the KEV catalogue',
  }),
  /** The catalogue is public data (CISA publishes it): any signed-in reader looks an entry up. */
  'kev.read': rule<null>({ what: 'KEV entry', need: 'read' }),
};
