import { readerFacts, type Principal, type ReaderFacts } from './access-label.ts';
import { administeredOrgIds, isSiteAdmin } from './predicates.ts';
import { rule } from './rule.ts';

/**
 * Who reads which audit entries: site administrators all of them; an organisation's administrators the entries
 * filed under their organisations whose record they may read (an entry of a labelled record carries that label, so
 * a restricted inventory's history is as hidden as the inventory). The repository applies this inside its SQL.
 */
export interface AuditScope {
  all: boolean;
  organisationIds: string[];
  facts: ReaderFacts;
  now: string;
}

export function auditScope(a: Principal, now: Date): AuditScope {
  return { all: isSiteAdmin(a), organisationIds: administeredOrgIds(a), facts: readerFacts(a), now: now.toISOString() };
}

export const auditPolicy = {
  'audit.list': rule<null>({
    what: 'audit trail',
    need: 'read',
    allow: (a) => isSiteAdmin(a) || administeredOrgIds(a).length > 0 || 'the audit trail is for site and organisation administrators',
  }),
};
