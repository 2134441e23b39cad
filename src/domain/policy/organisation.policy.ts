import { readerFacts, type AccessLabel, type Principal, type ReaderFacts } from './access-label.ts';
import { isAdminOf, isMemberOf, isSiteAdmin, labelAllows } from './predicates.ts';
import { rule } from './rule.ts';

export interface OrganisationRecord {
  id: string;
  label: AccessLabel;
}

/**
 * The directory is administered by site administrators, who therefore see every organisation; members always see
 * their own; everyone else sees what the organisation's label allows. Same rule as `visibleOrganisation` in SQL
 * (src/store/organisation.repository.ts).
 */
export const seesOrganisation = (a: Principal, o: OrganisationRecord, now: Date): boolean =>
  isSiteAdmin(a) || isMemberOf(a, o.id) || labelAllows(a, o.label, now);

/** The same rule as a scope for SQL (`visibleOrganisation` in src/store/organisation.repository.ts). */
export interface OrganisationScope {
  siteAdmin: boolean;
  facts: ReaderFacts;
  now: string;
}

export function organisationScope(a: Principal, now: Date): OrganisationScope {
  return { siteAdmin: isSiteAdmin(a), facts: readerFacts(a), now: now.toISOString() };
}

export const organisationPolicy = {
  'organisation.list': rule<null>({ what: 'organisation', need: 'public' }),
  'organisation.read': rule<OrganisationRecord>({ what: 'organisation', need: 'public', visible: seesOrganisation }),
  'organisation.create': rule<null>({
    what: 'organisation',
    need: 'admin',
    allow: (a) => isSiteAdmin(a) || 'only site administrators can do this',
  }),
  // Changing an organisation (its label, sectors, name) is administration, not everyday writing: a `write` token
  // used to upload inventories must not be able to relabel the organisation too.
  'organisation.update': rule<OrganisationRecord>({
    what: 'organisation',
    need: 'admin',
    visible: seesOrganisation,
    allow: (a, o) => isSiteAdmin(a) || isAdminOf(a, o.id) || "only site administrators and the organisation's administrators can change it",
  }),
  // Names are unique across the directory, so a clash would tell an organisation admin that a hidden organisation
  // of that name exists. Renaming is for site administrators, who see the whole directory.
  'organisation.rename': rule<OrganisationRecord>({
    what: 'organisation',
    need: 'admin',
    visible: seesOrganisation,
    allow: (a) => isSiteAdmin(a) || 'only site administrators rename organisations',
  }),
};
