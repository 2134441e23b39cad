import { canRead, readerFacts, type Principal, type ReaderFacts } from './access-label.ts';
import { seesCase, type CaseRecord, type ParticipantRole } from './case.policy.ts';
import { isOperator, isSystem } from './predicates.ts';
import { rule } from './rule.ts';

/**
 * Access rules of a case's threads (issue 9; docs/case-threads.md). A case has two threads:
 * - `participants`: read by everyone who reads the case (its label, whose sharedWith list is the participants);
 *   written by members of the participant organisations (the owner is one).
 * - `internal`: the coordinators' notes, read and written by members of government organisations that may read the
 *   case themselves: the case's label read through the actor's government memberships alone, so that a person who
 *   reads a TLP:RED case through their vendor organisation does not see its internal thread because they also belong
 *   to a government organisation that is not on the case. To everyone else the internal thread does not exist.
 *
 * The same rule in SQL (lists and counts): `threadVisible` in src/store/case-thread.repository.ts, over
 * `coordinatorFacts` below; test/api/case-threads-rule.test.ts checks that both agree on every combination.
 */
export const THREADS = ['participants', 'internal'] as const;
export type ThreadName = (typeof THREADS)[number];

export const isThreadName = (v: unknown): v is ThreadName => typeof v === 'string' && (THREADS as readonly string[]).includes(v);

export interface ThreadRecord {
  case: CaseRecord;
  thread: ThreadName;
}

/** A message as the rules see it: its thread, who wrote it and when. */
export interface MessageRecord {
  thread: ThreadRecord;
  authorUserId: string | null;
  createdAt: string;
}

/** How long after posting the author may still attach files to a message (the composer uploads right after posting). */
export const ATTACH_WINDOW_MS = 30 * 60_000;

/**
 * What the read rule needs to know about the actor as a coordinator: their government memberships only (and their
 * need-to-know roles, which a label checks wherever they are held). null when they have none.
 */
export function coordinatorFacts(a: Principal): ReaderFacts | null {
  const gov = [...a.memberships.values()].filter((m) => m.kind === 'government').map((m) => m.organisationId);
  if (!gov.length) return null;
  return { ...readerFacts(a), organisationIds: gov, coordinator: true };
}

/** The government organisations through which the actor reads the case: those it may write internal notes as. */
export function coordinatingOrganisations(a: Principal, c: CaseRecord, now: Date): string[] {
  const facts = coordinatorFacts(a);
  if (!facts) return [];
  return facts.organisationIds.filter((org) => canRead({ ...facts, organisationIds: [org] }, c.label, now)).sort();
}

/** Coordinators of this case: they read (and write) its internal thread. */
export const coordinatesOn = (a: Principal, c: CaseRecord, now: Date): boolean => isSystem(a) || coordinatingOrganisations(a, c, now).length > 0;

export const seesThread = (a: Principal, t: ThreadRecord, now: Date): boolean =>
  seesCase(a, t.case, now) && (t.thread === 'participants' || coordinatesOn(a, t.case, now));

/**
 * The organisations the actor may post as in this thread, each with its role on the case (null: a coordinator's
 * government organisation that reads the case without taking part). Participants' thread: the actor's participant
 * organisations; internal thread: the government organisations through which they read the case.
 */
export function postingOrganisations(a: Principal, t: ThreadRecord, now: Date): { organisationId: string; role: ParticipantRole | null }[] {
  const c = t.case;
  if (t.thread === 'internal') return coordinatingOrganisations(a, c, now).map((o) => ({ organisationId: o, role: c.participants.get(o) ?? null }));
  return [...a.memberships.keys()]
    .filter((o) => c.participants.has(o) || o === c.label.owner)
    .sort()
    .map((o) => ({ organisationId: o, role: c.participants.get(o) ?? null }));
}

/** A reader's scope for the SQL form of the rule (lists, totals, unread counts). */
export interface ThreadScope {
  /** The server's own work: every thread. */
  all: boolean;
  facts: ReaderFacts;
  /** coordinatorFacts: the reader's government memberships, or null. */
  coordinator: ReaderFacts | null;
  now: string;
}

export function threadScope(a: Principal, now: Date): ThreadScope {
  return { all: isSystem(a), facts: readerFacts(a), coordinator: coordinatorFacts(a), now: now.toISOString() };
}

const visibleThread = (a: Principal, t: ThreadRecord, now: Date) => seesThread(a, t, now);

export const caseThreadPolicy = {
  /** The thread list, a thread's messages, attachments' downloads, the Markdown preview. */
  'case-thread.read': rule<ThreadRecord>({ what: 'thread', need: 'read', visible: visibleThread }),
  'case-thread.post': rule<ThreadRecord>({
    what: 'thread',
    need: 'write',
    visible: visibleThread,
    allow: (a, t, now) =>
      isOperator(a) || postingOrganisations(a, t, now).length > 0 || 'only members of the case\'s participant organisations post in its thread; a coordinator joins the case first',
  }),
  /** Recording one's own visit (unread markers): anyone who reads the thread. */
  'case-thread.seen': rule<ThreadRecord>({ what: 'thread', need: 'write', visible: visibleThread }),
  /** No edits (docs/case-threads.md): files join a message only from its author, right after posting. */
  'case-thread.attach': rule<MessageRecord>({
    what: 'thread',
    need: 'write',
    visible: (a, m, now) => seesThread(a, m.thread, now),
    allow: (a, m, now) => {
      if (isOperator(a)) return true;
      if (a.userId === null || a.userId !== m.authorUserId) return 'only the author of a message attaches files to it';
      const age = now.getTime() - new Date(m.createdAt).getTime();
      return age <= ATTACH_WINDOW_MS || `files are attached within ${ATTACH_WINDOW_MS / 60_000} minutes of posting; post a new message with them`;
    },
  }),
};
