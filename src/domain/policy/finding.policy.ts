import { readerFacts, type AccessLabel, type Principal, type ReaderFacts } from './access-label.ts';
import { isCoordinator, isMemberOf, isOperator, isSystem, labelAllows } from './predicates.ts';
import { rule } from './rule.ts';

/**
 * A finding is a labelled record owned by the organisation that first reported it (issue 9). Its label's sharedWith
 * list (finding_shares) holds the participants of the cases it is in, so they read it through the same rule in
 * canRead and in SQL. Its evidence attachments are read under the finding's label.
 */
export interface FindingRecord {
  label: AccessLabel;
}

export const seesFinding = (a: Principal, f: FindingRecord, now: Date) => isSystem(a) || labelAllows(a, f.label, now);

/** The read rule as a scope for SQL (src/store/finding.repository.ts); `all` only for the server's own work. */
export interface FindingScope {
  all: boolean;
  facts: ReaderFacts;
  now: string;
}

export function findingScope(a: Principal, now: Date): FindingScope {
  return { all: isSystem(a), facts: readerFacts(a), now: now.toISOString() };
}

const reportsFor = (a: Principal, org: string) => isOperator(a) || isMemberOf(a, org);

export const findingPolicy = {
  'finding.list': rule<null>({ what: 'finding', need: 'read' }),
  'finding.read': rule<FindingRecord>({ what: 'finding', need: 'read', visible: seesFinding }),
  'finding.create': rule<{ reporter: string }>({
    what: 'finding',
    need: 'write',
    allow: (a, r) => reportsFor(a, r.reporter) || 'only members of the reporting organisation can submit findings for it',
  }),
  /** Attaching evidence: the reporting organisation and coordinators. */
  'finding.attach': rule<FindingRecord>({
    what: 'finding',
    need: 'write',
    visible: seesFinding,
    allow: (a, f) => reportsFor(a, f.label.owner) || isCoordinator(a) || 'only the reporting organisation and coordinators attach evidence',
  }),
  /** Splitting a wrongly merged report back out, merging a candidate duplicate: coordinators' work. */
  'finding.dedup': rule<FindingRecord>({
    what: 'finding',
    need: 'write',
    visible: seesFinding,
    allow: (a) => isOperator(a) || isCoordinator(a) || 'only coordinators split or merge findings',
  }),
};
