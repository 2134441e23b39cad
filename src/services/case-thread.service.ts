import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Services } from '../composition.ts';
import { checkBody, RENDER_VERSION } from '../domain/case-threads/markdown.ts';
import { ConflictError, InvalidInputError, NotFoundError } from '../domain/errors.ts';
import type { AccessLabel, Principal } from '../domain/policy/access-label.ts';
import { allows, authorize, guardFor } from '../domain/policy/authorize.ts';
import {
  isThreadName,
  postingOrganisations,
  seesThread,
  THREADS,
  threadScope,
  type MessageRecord,
  type ThreadName,
  type ThreadRecord,
} from '../domain/policy/case-thread.policy.ts';
import type { ParticipantRole } from '../domain/policy/case.policy.ts';
import { isOperator } from '../domain/policy/predicates.ts';
import { attachmentsOfMessages, countAttachments, type AttachmentRow } from '../store/attachment.repository.ts';
import {
  authorNames,
  caseState,
  findMessage,
  insertMessage,
  listMessages,
  threadStats,
  updateRendered,
  type MessageKey,
  type MessageOrder,
  type MessageRow,
} from '../store/case-thread.repository.ts';
import { markSeen, organisationsById, seenMarks, type CaseRecordRow } from '../store/case.repository.ts';
import type { Db, Tx } from '../store/db.ts';
import { presentAttachment, type AttachmentView } from './attachment.service.ts';
import { writeTx, type ServiceDeps } from './context.ts';
import { decodeCursor, pageLimit, toPage, type Page } from './pagination.ts';
import { renderMessages } from './workers/message-render.pool.ts';

export { MESSAGE_LIMITS } from '../domain/case-threads/markdown.ts';

export const THREAD_LIMITS = {
  /** Files on one message (the store's own cap per record is higher). */
  attachmentsPerMessage: 20,
} as const;

export const MESSAGE_ORDERS = ['newest', 'oldest'] as const;

export interface MessageAuthorView {
  name: string;
  organisationId: string;
  organisationName: string;
  /** The organisation's role on the case when the message was posted (null: a coordinator not taking part). */
  role: ParticipantRole | null;
  /** Posted by you. */
  you: boolean;
}

export interface MessageView {
  id: string;
  thread: ThreadName;
  author: MessageAuthorView;
  createdAt: string;
  /** The Markdown source as typed. */
  body: string;
  /** The source rendered by markdown-it and sanitised (docs/case-threads.md, "Markdown"): safe to insert as HTML. */
  html: string;
  replyTo: string | null;
  attachments: AttachmentView[];
  /** Posted by someone else after you last marked the thread seen. */
  unread: boolean;
  /** You may still attach files to it (its author, within the window, case open). */
  canAttach: boolean;
}

export interface ThreadPage extends Page<MessageView> {
  thread: ThreadName;
  /** Your mark on the thread before this read (null: never); reading does not move it (POST .../seen does). */
  seenAt: string | null;
  /** Messages by others after your mark, in the whole thread. */
  unread: number;
  total: number;
}

export interface ThreadSummaryView {
  name: ThreadName;
  total: number;
  unread: number;
  latestAt: string | null;
  seenAt: string | null;
  canPost: boolean;
  /** The organisations you may post as here, the first being the default. */
  postAs: { organisationId: string; name: string; role: ParticipantRole | null }[];
}

export interface PostMessageInput {
  body: unknown;
  replyTo?: string | null | undefined;
  /** Which of your organisations you write as (default: the first of `postAs`). */
  organisationId?: string | undefined;
}

export interface MessageListQuery {
  order?: string | undefined;
  limit?: number | undefined;
  cursor?: string | undefined;
}

type Upload = { body: AsyncIterable<Uint8Array> | Uint8Array; filename?: string | null; mediaType?: string | null; declaredSize?: number | null };

export const messageAttachmentUrl = (caseId: string, thread: ThreadName, messageId: string, attachmentId: string) =>
  `/api/v1/cases/${caseId}/threads/${thread}/messages/${messageId}/attachments/${attachmentId}`;

const seenKey = (t: ThreadName) => `thread:${t}`;
const ROLE_ORDER: (ParticipantRole | null)[] = ['coordinator', 'vendor', 'reporter', 'observer', null];

/**
 * Internal notes are audited under a label only the writing government organisation reads (TLP:RED, its owner), with
 * the case's embargo and need-to-know: not even a site administrator outside it learns that a note was written.
 */
function internalAuditLabel(org: string, c: AccessLabel): AccessLabel {
  return { owner: org, tlp: 'RED', embargoUntil: c.embargoUntil, restricted: c.restricted };
}

/**
 * Case threads (issue 9; docs/case-threads.md): the participants' thread and the coordinators' internal thread of a
 * case, Markdown messages rendered once (off the request thread) and stored with their source, attachments through
 * the evidence store, and per-user unread markers over the case's read marks.
 */
export class CaseThreadService {
  constructor(
    protected readonly deps: ServiceDeps,
    /** The other services, resolved lazily so this one needs no place in the wiring order. */
    protected readonly peers: () => Services,
  ) {}

  #now(): Date {
    return this.deps.clock.now();
  }

  /**
   * The case (not-found like an absent one when the actor may not read it), then the thread: an unknown name and a
   * thread the actor may not read (the internal one, for all but coordinators) answer the same not-found.
   */
  async #thread(db: Db | Tx, actor: Principal, caseId: string, name: string, action: 'case-thread.read' | 'case-thread.post' | 'case-thread.seen', now: Date): Promise<ThreadRecord & { case: CaseRecordRow; thread: ThreadName }> {
    const record = await this.peers().cases.readableIn(db, actor, caseId);
    if (!isThreadName(name)) throw new NotFoundError('thread');
    const t = { case: record, thread: name };
    authorize(actor, action, t, now);
    return t;
  }

  /** The message `id` of this thread, or the not-found of an absent message (another case's or thread's included). */
  async #message(db: Db | Tx, t: { case: CaseRecordRow; thread: ThreadName }, id: string): Promise<MessageRow> {
    const m = typeof id === 'string' && id.length <= 64 ? await findMessage(db, id) : undefined;
    if (!m || m.case_seq !== t.case.seq || m.thread !== t.thread) throw new NotFoundError('message');
    return m;
  }

  #present(actor: Principal, caseId: string, m: MessageRow, attachments: readonly AttachmentRow[], seenAt: string | null, open: boolean, t: ThreadRecord, now: Date): MessageView {
    const you = actor.userId !== null && m.author_user_id === actor.userId;
    const record: MessageRecord = { thread: t, authorUserId: m.author_user_id, createdAt: m.created_at };
    return {
      id: m.id,
      thread: m.thread as ThreadName,
      author: { name: m.author_name, organisationId: m.author_org_id, organisationName: m.author_org_name, role: (m.author_role as ParticipantRole | null) ?? null, you },
      createdAt: m.created_at,
      body: m.body,
      html: m.html,
      replyTo: m.reply_to_id,
      attachments: attachments.map((a) => presentAttachment(a, messageAttachmentUrl(caseId, m.thread as ThreadName, m.id, a.id))),
      unread: !you && (seenAt === null || m.created_at > seenAt),
      canAttach: open && !!actor.userId && you && allows(actor, 'case-thread.attach', record, now),
    };
  }

  /** Rows stored by an older renderer are rendered again (and kept), so a tightened allow-list reaches old messages. */
  async #fresh(rows: MessageRow[]): Promise<MessageRow[]> {
    const stale = rows.filter((r) => Number(r.render_version) !== RENDER_VERSION);
    if (!stale.length) return rows;
    const html = await renderMessages(stale.map((r) => r.body));
    const fixed = new Map<number, string>();
    for (const [i, r] of stale.entries()) {
      fixed.set(r.seq, html[i]!);
      await updateRendered(this.deps.db, r.seq, html[i]!, RENDER_VERSION);
    }
    return rows.map((r) => (fixed.has(r.seq) ? { ...r, html: fixed.get(r.seq)!, render_version: RENDER_VERSION } : r));
  }

  // ---- Reading ----

  /** The threads of a case the actor may read, with totals and unread counts; the internal one only for coordinators. */
  async threads(actor: Principal, caseId: string): Promise<ThreadSummaryView[]> {
    guardFor(actor, 'case-thread.read');
    const now = this.#now();
    const db = this.deps.db;
    const record = await this.peers().cases.readable(actor, caseId);
    const visible = THREADS.filter((name) => seesThread(actor, { case: record, thread: name }, now));
    const stats = (await threadStats(db, threadScope(actor, now), actor.userId, [record.seq], visible)).get(record.seq);
    const marks = actor.userId ? await seenMarks(db, actor.userId, record.seq) : new Map<string, string>();
    const open = (await caseState(db, record.seq)) === 'open';
    const orgIds = new Set<string>();
    const posting = new Map(visible.map((name) => {
      const orgs = this.#postAs(actor, { case: record, thread: name }, now);
      for (const o of orgs) orgIds.add(o.organisationId);
      return [name, orgs] as const;
    }));
    const names = await organisationsById(db, [...orgIds]);
    return visible.map((name) => {
      const s = stats?.get(name);
      const t = { case: record, thread: name };
      return {
        name,
        total: s?.total ?? 0,
        unread: s?.unread ?? 0,
        latestAt: s?.latestAt ?? null,
        seenAt: marks.get(seenKey(name)) ?? null,
        canPost: open && allows(actor, 'case-thread.post', t, now) && posting.get(name)!.length > 0,
        postAs: posting.get(name)!.map((o) => ({ ...o, name: names.get(o.organisationId)?.name ?? '' })),
      };
    });
  }

  /** Posting organisations, the most involved role first (coordinator, vendor, reporter, observer), then by id. */
  #postAs(actor: Principal, t: ThreadRecord, now: Date) {
    return postingOrganisations(actor, t, now).sort((a, b) => ROLE_ORDER.indexOf(a.role) - ROLE_ORDER.indexOf(b.role) || a.organisationId.localeCompare(b.organisationId));
  }

  /** One page of a thread, newest first by default, keyset-paged; reading does not mark it seen. */
  async messages(actor: Principal, caseId: string, thread: string, query: MessageListQuery): Promise<ThreadPage> {
    guardFor(actor, 'case-thread.read');
    const now = this.#now();
    const order = (query.order ?? 'newest') as MessageOrder;
    if (!(MESSAGE_ORDERS as readonly string[]).includes(order)) throw new InvalidInputError(`order must be one of ${MESSAGE_ORDERS.join(', ')}`, { parameter: 'order' });
    const limit = pageLimit(query.limit);
    const after = decodeCursor(query.cursor, 2) as MessageKey | null;
    if (after && !(typeof after[0] === 'string' && typeof after[1] === 'number')) throw new InvalidInputError('invalid cursor: pass the nextCursor value of the previous page unchanged', { parameter: 'cursor' });
    const db = this.deps.db;
    const t = await this.#thread(db, actor, caseId, thread, 'case-thread.read', now);
    const scope = threadScope(actor, now);
    const rows = await listMessages(db, scope, t.case.seq, t.thread, order, after, limit + 1);
    const shown = await this.#fresh(rows.slice(0, limit));
    const files = await attachmentsOfMessages(db, shown.map((m) => m.id));
    const seenAt = actor.userId ? ((await seenMarks(db, actor.userId, t.case.seq)).get(seenKey(t.thread)) ?? null) : null;
    const stats = (await threadStats(db, scope, actor.userId, [t.case.seq], [t.thread])).get(t.case.seq)?.get(t.thread);
    const open = (await caseState(db, t.case.seq)) === 'open';
    const byId = new Map(shown.map((m) => [m.id, m]));
    const page = toPage(rows, limit, (r) => this.#present(actor, caseId, byId.get(r.id)!, files.get(r.id) ?? [], seenAt, open, t, now), (r) => [r.created_at, r.seq]);
    return { ...page, thread: t.thread, seenAt, unread: stats?.unread ?? 0, total: stats?.total ?? 0 };
  }

  /** The Markdown as it would be shown, for the composer's preview; nothing is stored. */
  async preview(actor: Principal, caseId: string, thread: string, body: unknown): Promise<{ html: string }> {
    guardFor(actor, 'case-thread.read');
    const checked = checkBody(body);
    if (!checked.ok) throw new InvalidInputError(`body ${checked.reason}`, { field: 'body' });
    await this.#thread(this.deps.db, actor, caseId, thread, 'case-thread.read', this.#now());
    const [html] = await renderMessages([checked.body]);
    return { html: html! };
  }

  // ---- Writing ----

  async post(actor: Principal, caseId: string, thread: string, input: PostMessageInput): Promise<MessageView> {
    guardFor(actor, 'case-thread.post');
    if (input === null || typeof input !== 'object') throw new InvalidInputError('the body must be an object');
    const checked = checkBody(input.body);
    if (!checked.ok) throw new InvalidInputError(`body ${checked.reason}`, { field: 'body' });
    if (input.replyTo !== undefined && input.replyTo !== null && typeof input.replyTo !== 'string') throw new InvalidInputError('replyTo must be a message id', { field: 'replyTo' });
    const now = this.#now();
    // Decided before rendering: whoever may not post here costs no rendering and learns nothing from its outcome.
    await this.#thread(this.deps.db, actor, caseId, thread, 'case-thread.post', now);
    const [html] = await renderMessages([checked.body]);
    return writeTx(this.deps, actor, async (tx, audit, at) => {
      const t = await this.#thread(tx, actor, caseId, thread, 'case-thread.post', now);
      if ((await caseState(tx, t.case.seq)) !== 'open') throw new ConflictError('the case is closed: its threads are kept as they are');
      const org = await this.#authorOrganisation(tx, actor, t, input.organisationId, now);
      let replyTo: string | null = null;
      if (input.replyTo) {
        const parent = input.replyTo.length <= 64 ? await findMessage(tx, input.replyTo) : undefined;
        if (!parent || parent.case_seq !== t.case.seq || parent.thread !== t.thread) {
          throw new InvalidInputError(`replyTo: message ${input.replyTo} not found in this thread`, { field: 'replyTo' });
        }
        replyTo = parent.id;
      }
      const names = await authorNames(tx, actor.userId, org.organisationId);
      const row = {
        id: randomUUID(), case_seq: t.case.seq, thread: t.thread, author_user_id: actor.userId, author_name: names.user ?? actor.email ?? actor.via,
        author_org_id: org.organisationId, author_org_name: names.organisation ?? '', author_role: org.role, reply_to_id: replyTo, body: checked.body, html: html!,
        render_version: RENDER_VERSION, created_at: at,
      };
      const seq = await insertMessage(tx, row);
      const after = { message: row.id, thread: row.thread, organisationId: row.author_org_id, replyTo, body: row.body };
      await audit(t.thread === 'participants'
        ? { action: 'case.message.post', recordType: 'case', recordId: caseId, organisationId: t.case.label.owner, before: null, after, label: t.case.label }
        : { action: 'case.message.post', recordType: 'case-message', recordId: row.id, organisationId: row.author_org_id, before: null, after, label: internalAuditLabel(row.author_org_id, t.case.label) });
      return this.#present(actor, caseId, { ...row, seq }, [], null, true, t, now);
    });
  }

  /** The organisation the actor writes as: the one named (if they may), else the first they may post as. */
  async #authorOrganisation(tx: Tx, actor: Principal, t: ThreadRecord, named: string | undefined, now: Date): Promise<{ organisationId: string; role: ParticipantRole | null }> {
    const mine = this.#postAs(actor, t, now);
    if (named !== undefined) {
      const found = mine.find((o) => o.organisationId === named);
      if (found) return found;
      // The operator (CLI, the server) writes as a participant it names, and in the internal thread as a government one.
      if (isOperator(actor) && (t.case.participants.has(named) || named === t.case.label.owner)) {
        const kind = (await organisationsById(tx, [named])).get(named)?.kind;
        if (t.thread === 'participants' || kind === 'government') return { organisationId: named, role: t.case.participants.get(named) ?? null };
      }
      throw new InvalidInputError(`organisationId: you do not write as organisation ${named} in this thread`, { field: 'organisationId' });
    }
    if (!mine.length) throw new InvalidInputError('organisationId is required: name the participant organisation to write as', { field: 'organisationId' });
    return mine[0]!;
  }

  /**
   * Records that the actor has read the thread up to `upTo` (a message of it: the newest they were shown) or, without
   * it, up to now. A mark only moves forward. Answers the mark and what is still unread after it.
   */
  async markSeen(actor: Principal, caseId: string, thread: string, input: { upTo?: string | undefined }): Promise<{ thread: ThreadName; seenAt: string | null; unread: number }> {
    guardFor(actor, 'case-thread.seen');
    const now = this.#now();
    const db = this.deps.db;
    const t = await this.#thread(db, actor, caseId, thread, 'case-thread.seen', now);
    let at = now.toISOString();
    if (input.upTo !== undefined) {
      const m = input.upTo.length <= 64 ? await findMessage(db, input.upTo) : undefined;
      if (!m || m.case_seq !== t.case.seq || m.thread !== t.thread) throw new InvalidInputError(`upTo: message ${input.upTo} not found in this thread`, { field: 'upTo' });
      at = m.created_at;
    }
    if (!actor.userId) return { thread: t.thread, seenAt: null, unread: 0 };
    await markSeen(db, actor.userId, t.case.seq, seenKey(t.thread), at);
    const seenAt = (await seenMarks(db, actor.userId, t.case.seq)).get(seenKey(t.thread)) ?? at;
    const stats = (await threadStats(db, threadScope(actor, now), actor.userId, [t.case.seq], [t.thread])).get(t.case.seq)?.get(t.thread);
    return { thread: t.thread, seenAt, unread: stats?.unread ?? 0 };
  }

  // ---- Attachments ----

  /**
   * A file on a message: its author, within the window after posting, decided before a byte of the body is read; then
   * the evidence store stages the body (streamed, hashed, capped) outside any transaction and one short transaction
   * stores it with its audit entry.
   */
  async attach(actor: Principal, caseId: string, thread: string, messageId: string, upload: Upload): Promise<AttachmentView> {
    guardFor(actor, 'case-thread.attach');
    const now = this.#now();
    const db = this.deps.db;
    const t = await this.#thread(db, actor, caseId, thread, 'case-thread.read', now);
    const m = await this.#message(db, t, messageId);
    authorize(actor, 'case-thread.attach', { thread: t, authorUserId: m.author_user_id, createdAt: m.created_at }, now);
    if ((await caseState(db, t.case.seq)) !== 'open') throw new ConflictError('the case is closed: its threads are kept as they are');
    if ((await countAttachments(db, { caseMessageId: m.id })) >= THREAD_LIMITS.attachmentsPerMessage) {
      throw new ConflictError(`a message holds at most ${THREAD_LIMITS.attachmentsPerMessage} attachments; post another message for more`, { limit: THREAD_LIMITS.attachmentsPerMessage });
    }
    const store = this.peers().attachments;
    return store.withStaged(upload.body, upload, async (staged) => {
      const row = await writeTx(this.deps, actor, async (tx, audit) => {
        const r = await store.store(tx, staged, { caseMessageId: m.id }, actor, now.toISOString());
        const after = { message: m.id, thread: m.thread, attachment: r.id, filename: r.filename, mediaType: r.media_type, size: r.size, sha256: r.sha256 };
        await audit(t.thread === 'participants'
          ? { action: 'case.message.attach', recordType: 'case', recordId: caseId, organisationId: t.case.label.owner, before: null, after, label: t.case.label }
          : { action: 'case.message.attach', recordType: 'case-message', recordId: m.id, organisationId: m.author_org_id, before: null, after, label: internalAuditLabel(m.author_org_id, t.case.label) });
        return r;
      });
      return presentAttachment(row, messageAttachmentUrl(caseId, t.thread, m.id, row.id));
    });
  }

  /** One attachment's row and content, under the thread's rule; one of another message reads as absent. */
  async attachment(actor: Principal, caseId: string, thread: string, messageId: string, attachmentId: string): Promise<{ row: AttachmentRow; content: () => Readable }> {
    guardFor(actor, 'case-thread.read');
    const db = this.deps.db;
    const t = await this.#thread(db, actor, caseId, thread, 'case-thread.read', this.#now());
    const m = await this.#message(db, t, messageId);
    const store = this.peers().attachments;
    const row = typeof attachmentId === 'string' && attachmentId.length <= 64 ? await store.find(attachmentId) : undefined;
    if (!row || row.case_message_id !== m.id) throw new NotFoundError('attachment');
    return { row, content: () => store.content(row) };
  }
}
