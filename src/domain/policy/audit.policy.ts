import { readerFacts, type Principal, type ReaderFacts } from './access-label.ts';
import { administeredOrgIds, isSiteAdmin } from './predicates.ts';
import { rule } from './rule.ts';

/**
 * Who reads which audit entries: site administrators the entries of every organisation, an organisation's
 * administrators those filed under their organisations; for both, only unlabelled entries and those whose record
 * label lets them read it (an entry of a labelled record carries that label, so a restricted inventory's history is
 * as hidden as the inventory). Site administrators get no exemption from labels, as they get none from the
 * inventories themselves. The repository applies this inside its SQL; `audit verify` reads the chain without it.
 */
export interface AuditScope {
  /** Entries filed under any organisation (or none), not only under `organisationIds`. Labels still apply. */
  everyOrganisation: boolean;
  organisationIds: string[];
  facts: ReaderFacts;
  now: string;
}

export function auditScope(a: Principal, now: Date): AuditScope {
  return { everyOrganisation: isSiteAdmin(a), organisationIds: administeredOrgIds(a), facts: readerFacts(a), now: now.toISOString() };
}

export const auditPolicy = {
  'audit.list': rule<null>({
    what: 'audit trail',
    need: 'read',
    allow: (a) => isSiteAdmin(a) || administeredOrgIds(a).length > 0 || 'the audit trail is for site and organisation administrators',
  }),
};
