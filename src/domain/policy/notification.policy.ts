import { canRead, readerFacts, type AccessLabel, type OrganisationKind, type Principal, type ReaderFacts } from './access-label.ts';
import { isMemberOf } from './predicates.ts';
import { rule } from './rule.ts';

/**
 * Access rules of the notification inbox; see docs/ARCHITECTURE.md, "Access policy", and docs/notifications.md.
 *
 * A notification belongs to one recipient organisation and is about one subject record (a case, a finding, an
 * advisory...). It is readable by a member of the recipient organisation while the subject is readable *through that
 * organisation*: the subject's label is checked with the facts of that one membership (the organisation, whether it
 * is a government coordinator) and the reader's own need-to-know roles. So a notification disappears when its
 * subject's embargo starts, its share with the recipient is removed, or its TLP is raised past the recipient, even
 * for a reader who could still read the subject through another organisation. Read and acknowledged state is the
 * reader's own.
 */
export interface NotificationRecord {
  /** The recipient organisation. */
  organisationId: string;
  /** The subject's label as it is now (sharedWith included). */
  label: AccessLabel;
  /** The subject is a draft only its owner's members see (an advisory draft). */
  ownerOnly: boolean;
}

/** What the inbox knows of a recipient organisation when a notification is created. */
export interface RecipientOrganisation {
  id: string;
  kind: OrganisationKind;
  /** Need-to-know roles that some member of the organisation holds (in any membership, as `holdsRole` counts them). */
  memberRoles: readonly string[];
}

/** An organisation as a reader: a signed-in member of it alone, with the roles its members hold. */
export function organisationFacts(org: RecipientOrganisation): ReaderFacts {
  return { authenticated: true, organisationIds: [org.id], coordinator: org.kind === 'government', roles: [...org.memberRoles] };
}

/**
 * Whether an organisation may receive a notification about a record with this label at `now`: some member of it
 * could read the record through it. `notify` drops every other recipient.
 */
export function mayReceive(org: RecipientOrganisation, label: AccessLabel, now: Date, ownerOnly = false): boolean {
  return canRead(organisationFacts(org), label, now) && (!ownerOnly || label.owner === org.id);
}

/** The actor reading as a member of `organisationId` only (its own roles still count), or null when not a member. */
export function recipientFacts(a: Principal, organisationId: string): ReaderFacts | null {
  const m = a.memberships.get(organisationId);
  if (!m || a.userId === null) return null;
  return { authenticated: true, organisationIds: [organisationId], coordinator: m.kind === 'government', roles: readerFacts(a).roles };
}

const seesNotification = (a: Principal, n: NotificationRecord, now: Date): boolean => {
  const facts = recipientFacts(a, n.organisationId);
  return facts !== null && isMemberOf(a, n.organisationId) && canRead(facts, n.label, now) && (!n.ownerOnly || n.label.owner === n.organisationId);
};

/** The read rule as a scope for SQL (src/store/notification.repository.ts): one reader-facts set per membership. */
export interface NotificationScope {
  userId: string | null;
  now: string;
  /** The reader's own facts, for what a notification names besides its subject (the inventories of issue 10). */
  facts: ReaderFacts;
  recipients: { organisationId: string; facts: ReaderFacts }[];
}

export function notificationScope(a: Principal, now: Date): NotificationScope {
  const recipients = [...a.memberships.keys()].flatMap((organisationId) => {
    const facts = recipientFacts(a, organisationId);
    return facts ? [{ organisationId, facts }] : [];
  });
  return { userId: a.userId, now: now.toISOString(), facts: readerFacts(a), recipients };
}

export const notificationPolicy = {
  'notification.list': rule<null>({ what: 'notification', need: 'read' }),
  'notification.read': rule<NotificationRecord>({ what: 'notification', need: 'read', visible: seesNotification }),
  /** Marking read or acknowledging: one's own state of a notification one may read, so a state change (write scope). */
  'notification.mark': rule<NotificationRecord>({ what: 'notification', need: 'write', visible: seesNotification }),
  'notification.mark-all': rule<null>({ what: 'notification', need: 'write' }),
};
