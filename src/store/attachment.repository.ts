/**
 * Evidence attachments (issue 9): SHA-256-addressed blobs stored in 256 KiB chunks (attachment_blobs,
 * attachment_chunks) and their named uses (attachments), each hanging on one finding or one case message. Every
 * query is unscoped: an attachment has no label of its own, so the service decides with the policy on the label of
 * the record it hangs on before calling anything here.
 */
import type { Selectable } from 'kysely';
import type { Db, Tx } from './db.ts';
import type { AttachmentTable } from './schema-intake.ts';

export type AttachmentRow = Selectable<AttachmentTable>;

/** What an attachment hangs on: exactly one of the two. */
export type AttachmentTarget = { findingSeq: number } | { caseMessageId: string };

/**
 * Inserts the blob row unless that content is already stored, and then its chunks, read one at a time from `chunks`.
 * Returns whether the content was new. Two uploads of the same content racing each other: on PostgreSQL the second
 * insert waits for the first transaction and then does nothing; on SQLite writers are serialised anyway.
 */
export async function insertBlob(tx: Tx, sha256: string, size: number, nowIso: string, chunks: () => AsyncIterable<Uint8Array>): Promise<boolean> {
  const res = await tx.insertInto('attachment_blobs').values({ sha256, size, created_at: nowIso }).onConflict((oc) => oc.column('sha256').doNothing()).executeTakeFirst();
  if (Number(res.numInsertedOrUpdatedRows ?? 0n) === 0) return false;
  let n = 0;
  for await (const data of chunks()) await tx.insertInto('attachment_chunks').values({ sha256, n: n++, data }).execute();
  return true;
}

export async function insertAttachment(tx: Tx, row: AttachmentRow): Promise<void> {
  await tx.insertInto('attachments').values(row).execute();
}

export async function findAttachment(db: Db | Tx, id: string): Promise<AttachmentRow | undefined> {
  return db.selectFrom('attachments').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The attachments of one record, oldest first, at most `limit`. */
export async function listAttachments(db: Db | Tx, target: AttachmentTarget, limit: number): Promise<AttachmentRow[]> {
  let q = db.selectFrom('attachments').selectAll();
  q = 'findingSeq' in target ? q.where('finding_seq', '=', target.findingSeq) : q.where('case_message_id', '=', target.caseMessageId);
  return q.orderBy('created_at').orderBy('id').limit(limit).execute();
}

/** The attachments of many case messages at once (a thread page), by message id. */
export async function attachmentsOfMessages(db: Db | Tx, messageIds: readonly string[]): Promise<Map<string, AttachmentRow[]>> {
  const out = new Map<string, AttachmentRow[]>();
  for (let i = 0; i < messageIds.length; i += 500) {
    const rows = await db.selectFrom('attachments').selectAll().where('case_message_id', 'in', messageIds.slice(i, i + 500)).orderBy('created_at').orderBy('id').execute();
    for (const r of rows) out.set(r.case_message_id!, [...(out.get(r.case_message_id!) ?? []), r]);
  }
  return out;
}

export async function countAttachments(db: Db | Tx, target: AttachmentTarget): Promise<number> {
  let q = db.selectFrom('attachments').select((eb) => eb.fn.countAll().as('n'));
  q = 'findingSeq' in target ? q.where('finding_seq', '=', target.findingSeq) : q.where('case_message_id', '=', target.caseMessageId);
  return Number((await q.executeTakeFirstOrThrow()).n);
}

/** How many chunks are read per query while streaming a download: 2 MiB in memory at most. */
const CHUNKS_PER_READ = 8;

/** The stored content, chunk by chunk, in order; a few chunks per query so memory stays bounded for any size. */
export async function* readChunks(db: Db, sha256: string): AsyncGenerator<Buffer> {
  for (let from = 0; ; from += CHUNKS_PER_READ) {
    const rows = await db
      .selectFrom('attachment_chunks')
      .select(['n', 'data'])
      .where('sha256', '=', sha256)
      .where('n', '>=', from)
      .where('n', '<', from + CHUNKS_PER_READ)
      .orderBy('n')
      .execute();
    for (const r of rows) yield Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength);
    if (rows.length < CHUNKS_PER_READ) return;
  }
}

/** Test and operator checks: whether a blob (and how many chunks of it) is stored. */
export async function blobChunkCount(db: Db | Tx, sha256: string): Promise<number | null> {
  const blob = await db.selectFrom('attachment_blobs').select('sha256').where('sha256', '=', sha256).executeTakeFirst();
  if (!blob) return null;
  return Number((await db.selectFrom('attachment_chunks').select((eb) => eb.fn.countAll().as('n')).where('sha256', '=', sha256).executeTakeFirstOrThrow()).n);
}
