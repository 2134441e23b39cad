import { readerFacts, type AccessLabel, type Principal, type ReaderFacts } from './access-label.ts';
import { isMemberOf, isOperator, isSiteAdmin, isSystem, labelAllows } from './predicates.ts';
import { rule } from './rule.ts';

export interface AdvisoryRecord {
  label: AccessLabel;
  state: 'draft' | 'published' | 'withdrawn';
}

/**
 * A draft is the owner's working copy: only its members see it (within the label, so need-to-know still applies),
 * not the organisations it will be shared with nor coordinators. Once published the label alone decides, with its
 * embargo, TLP and sharedWith list.
 */
const seesAdvisory = (a: Principal, r: AdvisoryRecord, now: Date) =>
  isSystem(a) || (labelAllows(a, r.label, now) && (r.state !== 'draft' || isOperator(a) || isMemberOf(a, r.label.owner)));

/** Only the owner changes an advisory; sharing lets others read it, never edit it. */
const writes = (a: Principal, owner: string) => isOperator(a) || isMemberOf(a, owner);

/** The read rule as a scope for SQL (src/store/advisory.repository.ts); `all` for the server's own work. */
export interface AdvisoryScope {
  all: boolean;
  /** The CLI on the machine sees drafts of every organisation, within the label like the system does. */
  drafts: 'owner' | 'all';
  facts: ReaderFacts;
  now: string;
}

export function advisoryScope(a: Principal, now: Date): AdvisoryScope {
  return { all: isSystem(a), drafts: isOperator(a) ? 'all' : 'owner', facts: readerFacts(a), now: now.toISOString() };
}

export const advisoryPolicy = {
  'advisory.list': rule<null>({ what: 'advisory', need: 'public' }),
  'advisory.read': rule<AdvisoryRecord>({ what: 'advisory', need: 'public', visible: seesAdvisory }),
  'advisory.create': rule<{ owner: string }>({
    what: 'advisory',
    need: 'write',
    allow: (a, r) => writes(a, r.owner) || 'only members of the owning organisation can author its advisories',
  }),
  'advisory.write': rule<AdvisoryRecord>({
    what: 'advisory',
    need: 'write',
    visible: seesAdvisory,
    allow: (a, r) => writes(a, r.label.owner) || 'only members of the owning organisation can change its advisories',
  }),
  // The public mirror is the site's own data; loading it is administration, not authorship.
  'advisory.import': rule<null>({
    what: 'advisory',
    need: 'admin',
    allow: (a) => isOperator(a) || isSiteAdmin(a) || 'only site administrators import public advisory data',
  }),
};
