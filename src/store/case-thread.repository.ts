/**
 * Case threads (issue 9; docs/case-threads.md): every query of case messages.
 *
 * Reads that list or count take the reader's `ThreadScope` (src/domain/policy/case-thread.policy.ts) and apply the
 * threads' read rule inside the SQL (`threadVisible`): the case's label as `visibleTo` over cases + case_participants,
 * and for the internal thread the same label read through the reader's government memberships alone. So a list, a
 * total or an unread count never includes a message of a thread the reader may not read, whoever calls it.
 *
 * For the bench (bench/intake-case.ts): `insertCaseMessages(tx, rows)` writes many messages in multi-row statements;
 * `benchMessageRow(...)` builds one row (HTML rendered in-process, which is fine for a bench, not for a request).
 */
import { randomUUID } from 'node:crypto';
import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { ThreadName, ThreadScope } from '../domain/policy/case-thread.policy.ts';
import { CASE_SHARES } from './case.repository.ts';
import type { Db, Tx } from './db.ts';
import type { CaseMessageTable } from './schema-case-threads.ts';
import { visibleTo } from './visibility.ts';

export type MessageRow = Omit<CaseMessageTable, 'seq'> & { seq: number };
export type NewMessageRow = Omit<CaseMessageTable, 'seq'>;

/** Keyset of a thread page: created_at, then seq (insertion order) among messages of the same instant. */
export type MessageKey = [string, number];
export type MessageOrder = 'newest' | 'oldest';

const NEVER = sql<SqlBool>`1 = 0`;
// 14 columns a row: 300 rows stay well under SQLite's and PostgreSQL's bound-parameter limits.
const INSERT_BATCH = 300;

/**
 * The threads' read rule as SQL, over a query that joins `cases` (the message's case) and names the thread column:
 * the case is readable, and the thread is the participants' one or the reader coordinates on the case.
 */
export function threadVisible(scope: ThreadScope, threadColumn: string) {
  return (eb: ExpressionBuilder<any, any>): Expression<SqlBool> => {
    if (scope.all) return eb.lit(true) as unknown as Expression<SqlBool>;
    const caseReadable = visibleTo(scope.facts, scope.now, 'cases', undefined, CASE_SHARES)(eb);
    const internal = scope.coordinator ? visibleTo(scope.coordinator, scope.now, 'cases', undefined, CASE_SHARES)(eb) : NEVER;
    return eb.and([caseReadable, eb.or([eb(threadColumn, '=', 'participants'), eb.and([eb(threadColumn, '=', 'internal'), internal])])]);
  };
}

export async function insertMessage(tx: Tx, row: NewMessageRow): Promise<number> {
  const r = await tx.insertInto('case_messages').values(row).returning('seq').executeTakeFirstOrThrow();
  return Number(r.seq);
}

/** Many messages in multi-row statements (the bench, imports); the caller audits as it sees fit. */
export async function insertCaseMessages(tx: Db | Tx, rows: readonly NewMessageRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_BATCH) await tx.insertInto('case_messages').values(rows.slice(i, i + INSERT_BATCH)).execute();
}

/** One message row for the bench: `html` must be the rendered `body` (renderMessage of src/domain/case-threads/markdown.ts). */
export function benchMessageRow(caseSeq: number, thread: ThreadName, author: { userId: string | null; name: string; organisationId: string; organisationName: string; role: string | null }, body: string, html: string, renderVersion: number, createdAt: string): NewMessageRow {
  return {
    id: randomUUID(), case_seq: caseSeq, thread, author_user_id: author.userId, author_name: author.name, author_org_id: author.organisationId, author_org_name: author.organisationName,
    author_role: author.role, reply_to_id: null, body, html, render_version: renderVersion, created_at: createdAt,
  };
}

const toRow = <R extends { seq: number | string }>(r: R) => ({ ...r, seq: Number(r.seq) });

/** Unscoped: the caller has authorised on the message's case and thread. */
export async function findMessage(db: Db | Tx, id: string): Promise<MessageRow | undefined> {
  const r = await db.selectFrom('case_messages').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toRow(r) : undefined;
}

/** Several messages by id (the ones a page answers), unscoped like findMessage. */
export async function messagesById(db: Db | Tx, ids: readonly string[]): Promise<Map<string, MessageRow>> {
  const out = new Map<string, MessageRow>();
  for (let i = 0; i < ids.length; i += 500) {
    for (const r of await db.selectFrom('case_messages').selectAll().where('id', 'in', ids.slice(i, i + 500)).execute()) out.set(r.id, toRow(r));
  }
  return out;
}

/** A page of one thread of one case, in the reader's scope; ask limit+1 rows to know whether more follow. */
export async function listMessages(db: Db, scope: ThreadScope, caseSeq: number, thread: ThreadName, order: MessageOrder, after: MessageKey | null, limit: number): Promise<MessageRow[]> {
  let q = db
    .selectFrom('case_messages as m')
    .innerJoin('cases', 'cases.seq', 'm.case_seq')
    .selectAll('m')
    .where('m.case_seq', '=', caseSeq)
    .where('m.thread', '=', thread)
    .where(threadVisible(scope, 'm.thread'));
  if (after) {
    const [t, s] = after;
    const cmp = order === 'newest' ? '<' : '>';
    q = q.where((eb) => eb.or([eb('m.created_at', cmp, t), eb.and([eb('m.created_at', '=', t), eb('m.seq', cmp, s)])]));
  }
  const dir = order === 'newest' ? 'desc' : 'asc';
  const rows = await q.orderBy('m.created_at', dir).orderBy('m.seq', dir).limit(limit).execute();
  return rows.map(toRow);
}

export interface ThreadStats {
  total: number;
  latestAt: string | null;
  /** Messages by others after the user's mark on the thread (all of them when never seen). */
  unread: number;
}

/**
 * Per case and thread, in the reader's scope: how many messages, the newest's time, and how many arrived (from
 * others) since `userId` last marked the thread seen (case_seen_marks, key `thread:<name>`). Threads without a
 * message, or that the reader may not read, are absent from the answer.
 */
export async function threadStats(db: Db, scope: ThreadScope, userId: string | null, caseSeqs: readonly number[], onlyThreads?: readonly ThreadName[]): Promise<Map<number, Map<ThreadName, ThreadStats>>> {
  const out = new Map<number, Map<ThreadName, ThreadStats>>();
  // Rows of a thread the reader may not read are not even scanned where that is known beforehand (the caller decided on
  // the case in hand, or the reader coordinates nowhere), so the time a count takes does not grow with them either.
  const threads = onlyThreads ?? (scope.all || scope.coordinator ? null : ['participants']);
  if (!caseSeqs.length || threads?.length === 0) return out;
  const me = userId ?? '';
  for (let i = 0; i < caseSeqs.length; i += 500) {
    const rows = await db
      .selectFrom('case_messages as m')
      .innerJoin('cases', 'cases.seq', 'm.case_seq')
      .leftJoin('case_seen_marks as s', (j) => j.onRef('s.case_seq', '=', 'm.case_seq').on('s.user_id', '=', me).on('s.key', '=', sql<string>`'thread:' || m.thread`))
      .select((eb) => [
        'm.case_seq',
        'm.thread',
        eb.fn.countAll().as('total'),
        eb.fn.max('m.created_at').as('latest'),
        eb.fn.sum(
          eb.case()
            .when(eb.and([
              userId === null ? NEVER : eb.or([eb('m.author_user_id', 'is', null), eb('m.author_user_id', '<>', me)]),
              eb.or([eb('s.seen_at', 'is', null), eb('m.created_at', '>', eb.ref('s.seen_at'))]),
            ]))
            .then(1)
            .else(0)
            .end(),
        ).as('unread'),
      ])
      .where('m.case_seq', 'in', caseSeqs.slice(i, i + 500))
      .$if(threads !== null, (q) => q.where('m.thread', 'in', [...threads!]))
      .where(threadVisible(scope, 'm.thread'))
      .groupBy(['m.case_seq', 'm.thread'])
      .execute();
    for (const r of rows) {
      const seq = Number(r.case_seq);
      const m = out.get(seq) ?? new Map<ThreadName, ThreadStats>();
      m.set(r.thread as ThreadName, { total: Number(r.total), latestAt: (r.latest as string | null) ?? null, unread: Number(r.unread ?? 0) });
      out.set(seq, m);
    }
  }
  return out;
}

/**
 * For case lists (the cases part may show it beside its vendor-status count): per case, unread messages per thread
 * the reader may read. Cases with nothing unread are absent.
 */
export async function unreadThreadCounts(db: Db, scope: ThreadScope, userId: string, caseSeqs: readonly number[]): Promise<Map<number, Partial<Record<ThreadName, number>>>> {
  const out = new Map<number, Partial<Record<ThreadName, number>>>();
  for (const [seq, threads] of await threadStats(db, scope, userId, caseSeqs)) {
    const counts: Partial<Record<ThreadName, number>> = {};
    for (const [name, s] of threads) if (s.unread > 0) counts[name] = s.unread;
    if (Object.keys(counts).length) out.set(seq, counts);
  }
  return out;
}

/** The case's state (open | closed), for refusing posts to a closed case. */
export async function caseState(db: Db | Tx, caseSeq: number): Promise<string | undefined> {
  return (await db.selectFrom('cases').select('state').where('seq', '=', caseSeq).executeTakeFirst())?.state;
}

/** A user's display name and the organisations' names, as they are now (copied onto the message). */
export async function authorNames(db: Db | Tx, userId: string | null, organisationId: string): Promise<{ user: string | null; organisation: string | null }> {
  const user = userId ? await db.selectFrom('users').select('name').where('id', '=', userId).executeTakeFirst() : undefined;
  const org = await db.selectFrom('organisations').select('name').where('id', '=', organisationId).executeTakeFirst();
  return { user: user?.name ?? null, organisation: org?.name ?? null };
}

/** Rows stored by an older renderer get their HTML rendered again; this keeps it. */
export async function updateRendered(tx: Db | Tx, seq: number, html: string, renderVersion: number): Promise<void> {
  await tx.updateTable('case_messages').set({ html, render_version: renderVersion }).where('seq', '=', seq).execute();
}
