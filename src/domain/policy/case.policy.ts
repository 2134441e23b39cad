import { readerFacts, type AccessLabel, type OrganisationKind, type Principal, type ReaderFacts } from './access-label.ts';
import { isAdminOf, isCoordinator, isMemberOf, isOperator, isSystem, labelAllows } from './predicates.ts';
import { rule } from './rule.ts';

export const PARTICIPANT_ROLES = ['reporter', 'vendor', 'coordinator', 'observer'] as const;
export type ParticipantRole = (typeof PARTICIPANT_ROLES)[number];

/**
 * A coordinated disclosure case (issue 9): a labelled record owned by the organisation that opened it. Its
 * participants are the label's sharedWith list (case_participants is the share table), so every read, list and count
 * of the case and of what hangs off it (thread, vendor statuses, attachments) obeys one rule. The embargo of the label
 * is the case's public date.
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

/**
 * Who runs a case: members of the organisation that opened it and of every participant taking part as coordinator.
 * They change the case, its participants and its public date, decide extension requests and draft its advisory.
 */
export const managesCase = (a: Principal, c: CaseRecord): boolean => isOperator(a) || isMemberOf(a, c.label.owner) || rolesOn(a, c).has('coordinator');

/** Members of any participant organisation (the owner is always one). */
export const participatesIn = (a: Principal, c: CaseRecord): boolean => isOperator(a) || isMemberOf(a, c.label.owner) || rolesOn(a, c).size > 0;

/** What opening a case is decided on: the organisation that will own it and the findings it is opened from. */
export interface CaseOpening {
  owner: string;
  ownerKind: OrganisationKind;
  /** Reporting and product organisations of the findings (all readable by the actor: the service checked). */
  findings: readonly { reporter: string; productOrganisation: string | null }[];
  /** Organisations that declared one of the findings' products (purl prefix, CPE). */
  declaredVendors: ReadonlySet<string>;
}

/**
 * The role the opening organisation takes on its own case, or null when it may not open one: a government
 * organisation coordinates; an organisation that reported one of the findings is its reporter; one that makes (or
 * declared) one of the products, or is a vendor, is a vendor. Anyone else has no standing to open a case.
 */
export function openerRole(o: CaseOpening): ParticipantRole | null {
  if (o.ownerKind === 'government') return 'coordinator';
  if (o.findings.some((f) => f.reporter === o.owner)) return 'reporter';
  if (o.ownerKind === 'vendor' || o.declaredVendors.has(o.owner) || o.findings.some((f) => f.productOrganisation === o.owner)) return 'vendor';
  return null;
}

/**
 * Whether the actor may bring a finding it reads into a case (which shares it with every participant): its
 * reporting organisation always; coordinators for what TLP lets them pass on to those who need it (not RED); anyone
 * for CLEAR and GREEN. An organisation that reads a finding only because it was shared with it (through another
 * case) does not pass it further: TLP:AMBER and RED are not for onward sharing.
 */
export function mayBringFinding(a: Principal, finding: { label: AccessLabel }): boolean {
  if (isOperator(a) || isMemberOf(a, finding.label.owner)) return true;
  if (finding.label.tlp === 'CLEAR' || finding.label.tlp === 'GREEN') return true;
  return finding.label.tlp !== 'RED' && isCoordinator(a);
}

/** A vendor status: the case, and the vendor organisation whose status it is. */
export interface VendorStatusRecord {
  case: CaseRecord;
  vendor: string;
}

export interface ProductDeclarationRecord {
  organisationId: string;
}

export const casePolicy = {
  'case.list': rule<null>({ what: 'case', need: 'read' }),
  'case.read': rule<CaseRecord>({ what: 'case', need: 'read', visible: seesCase }),
  'case.create': rule<CaseOpening>({
    what: 'case',
    need: 'write',
    allow: (a, o) =>
      isOperator(a) || (isMemberOf(a, o.owner) && openerRole(o) !== null) ||
      (isMemberOf(a, o.owner) ? 'only coordinators, the findings\' reporters and their vendors open cases' : 'only members of the owning organisation open cases for it'),
  }),
  /** Title, summary, label, findings, participants, the public date, extension decisions, the advisory draft. */
  'case.manage': rule<CaseRecord>({
    what: 'case',
    need: 'write',
    visible: seesCase,
    allow: (a, c) => managesCase(a, c) || 'only the case\'s owner and coordinators do this',
  }),
  /** A coordinator who reads a case joins it with their own government organisation. */
  'case.join': rule<CaseRecord>({
    what: 'case',
    need: 'write',
    visible: seesCase,
    allow: (a) => isOperator(a) || isCoordinator(a) || 'only coordinators (members of a government organisation) join cases',
  }),
  'case.status.write': rule<VendorStatusRecord>({
    what: 'case',
    need: 'write',
    visible: (a, s, now) => seesCase(a, s.case, now),
    allow: (a, s) => managesCase(a, s.case) || isMemberOf(a, s.vendor) || 'only the vendor\'s members and the case\'s coordinators set its status',
  }),
  'case.extension.request': rule<CaseRecord>({
    what: 'case',
    need: 'write',
    visible: seesCase,
    allow: (a, c) => participatesIn(a, c) || 'only participants ask for an extension',
  }),
  /** Recording one's own visit (unread markers): anyone who reads the case. */
  'case.seen': rule<CaseRecord>({ what: 'case', need: 'write', visible: seesCase }),
  /** Product declarations are routing data for coordinators: any signed-in reader of the organisation reads them. */
  'case.products.read': rule<null>({ what: 'organisation', need: 'read' }),
  // Declaring what an organisation answers for is administration of it (like its label), hence the admin scope.
  'case.products.write': rule<ProductDeclarationRecord>({
    what: 'organisation',
    need: 'admin',
    allow: (a, p) => isOperator(a) || isAdminOf(a, p.organisationId) || 'only the organisation\'s administrators declare its products',
  }),
};
