import type { FindingRecord } from './finding.policy.ts';
import { seesFinding } from './finding.policy.ts';
import { isCoordinator, isOperator, isSiteAdmin } from './predicates.ts';
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
  /** Loading CISA's catalogue changes every matching finding and advisory: site administrators and coordinators. */
  'kev.import': rule<null>({
    what: 'KEV catalogue',
    need: 'write',
    allow: (a) => isOperator(a) || isSiteAdmin(a) || isCoordinator(a) || 'only site administrators and coordinators import the KEV catalogue',
  }),
  /** The catalogue is public data (CISA publishes it): any signed-in reader looks an entry up. */
  'kev.read': rule<null>({ what: 'KEV entry', need: 'read' }),
};
