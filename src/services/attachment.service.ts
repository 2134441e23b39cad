/**
 * The evidence attachments store (issue 9; docs/findings.md "Attachments"). Generic: findings use it, and case
 * messages hang their attachments on it the same way. It never decides who may do anything: the caller authorises
 * on the label of the record the attachment hangs on (hidden == absent), first, before a byte of the body is read.
 *
 * Upload, in three steps, so no database transaction is open while a slow client sends:
 *
 *   authorize(actor, '<record>.attach', record, now);                 // 404/403 before the body is read
 *   const staged = await attachments.stage(body, { filename, mediaType }); // streamed to a temp file: SHA-256, size,
 *   try {                                                              //   the cap (413 naming it; nothing left behind)
 *     await writeTx(deps, actor, async (tx, audit, now) => {           // one short transaction:
 *       const row = await attachments.store(tx, staged, { caseMessageId }, actor, now); // blob (256 KiB chunks, de-duplicated
 *       await audit({ action: 'case-message.attach', ... });           //   by SHA-256) + the attachments row
 *     });                                                              //   + the audit entry
 *   } finally {
 *     await staged.discard();                                          // the temp file goes, whatever happened
 *   }
 *
 * (`attachments.withStaged(body, meta, fn)` does the try/finally.) Present with `presentAttachment(row, url)`: JSON
 * never carries content, only `{ id, filename, mediaType, size, sha256, createdAt, url }`. Download, after authorising
 * on the parent's label: `attachments.find(id)` (then check that the row hangs on that parent), and
 * `attachments.content(row)`, a stream of the chunks; `sendAttachment` in src/http/attachment.routes.ts sets the
 * headers (stored media type, Content-Disposition: attachment, nosniff, ETag = sha256).
 */
import { createHash, randomUUID } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ConflictError, DomainError, InvalidInputError } from '../domain/errors.ts';
import { ATTACHMENT_CHUNK_BYTES, ATTACHMENT_DEFAULT_LIMIT, safeMediaType, sanitiseFilename } from '../domain/intake/attachment-rules.ts';
import type { Principal } from '../domain/policy/access-label.ts';
import {
  countAttachments,
  findAttachment,
  insertAttachment,
  insertBlob,
  listAttachments,
  readChunks,
  type AttachmentRow,
  type AttachmentTarget,
} from '../store/attachment.repository.ts';
import type { Tx } from '../store/db.ts';
import type { ServiceDeps } from './context.ts';

export type { AttachmentRow, AttachmentTarget } from '../store/attachment.repository.ts';

/** What leaves: never the content. */
export interface AttachmentView {
  id: string;
  filename: string;
  mediaType: string;
  size: number;
  sha256: string;
  createdAt: string;
  /** Where it is downloaded, under the label of the record it hangs on. */
  url: string;
}

export function presentAttachment(r: AttachmentRow, url: string): AttachmentView {
  return { id: r.id, filename: r.filename, mediaType: r.media_type, size: Number(r.size), sha256: r.sha256, createdAt: r.created_at, url };
}

/** An upload received into a temporary file, not yet stored. */
export interface StagedAttachment {
  readonly sha256: string;
  readonly size: number;
  /** Sanitised. */
  readonly filename: string;
  /** From the safe list, or application/octet-stream. */
  readonly mediaType: string;
  /** Removes the temporary file; safe to call more than once. */
  discard(): Promise<void>;
  /** The content again, ATTACHMENT_CHUNK_BYTES at a time. */
  chunks(): AsyncIterable<Uint8Array>;
}

/** At most this many attachments on one record: a cap on count beside the cap on size. */
export const ATTACHMENTS_PER_RECORD = 100;

export class AttachmentTooLargeError extends DomainError {
  constructor(readonly limit: number) {
    super('payload-too-large', `the attachment is larger than the limit of ${limit} bytes (${formatBytes(limit)})`, { limit });
  }
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 && n % (1024 * 1024) === 0 ? `${n / 1024 / 1024} MiB` : n >= 1024 && n % 1024 === 0 ? `${n / 1024} KiB` : `${n} bytes`;
}

export class AttachmentService {
  readonly maxBytes: number;

  constructor(
    private readonly deps: ServiceDeps,
    opts: { maxBytes?: number; tempDir?: string } = {},
  ) {
    this.maxBytes = opts.maxBytes ?? ATTACHMENT_DEFAULT_LIMIT;
    this.tempDir = opts.tempDir ?? tmpdir();
  }

  private readonly tempDir: string;

  /**
   * Receives a body into a private temporary file while hashing and counting it. Over the cap: the temp file is
   * removed, the rest of the body is drained (so the client reads the 413 rather than a reset), and
   * AttachmentTooLargeError (413) names the limit. A `declaredSize` over the cap (Content-Length) is refused before
   * anything is read. Empty content is refused (400).
   */
  async stage(body: AsyncIterable<Uint8Array> | Uint8Array, meta: { filename?: string | null; mediaType?: string | null; declaredSize?: number | null }): Promise<StagedAttachment> {
    if (meta.declaredSize !== undefined && meta.declaredSize !== null && meta.declaredSize > this.maxBytes) {
      drain(body);
      throw new AttachmentTooLargeError(this.maxBytes);
    }
    const path = join(this.tempDir, `clearinghouse-upload-${randomUUID()}`);
    const file = await open(path, 'wx', 0o600);
    const hash = createHash('sha256');
    let size = 0;
    let discarded = false;
    const discard = async () => {
      if (discarded) return;
      discarded = true;
      await rm(path, { force: true });
    };
    try {
      await eachChunk(body, async (chunk) => {
        size += chunk.byteLength;
        if (size > this.maxBytes) throw new AttachmentTooLargeError(this.maxBytes);
        hash.update(chunk);
        let off = 0;
        while (off < chunk.byteLength) off += (await file.write(chunk, off, chunk.byteLength - off)).bytesWritten;
      });
      if (size === 0) throw new InvalidInputError('the attachment is empty: send the file as the request body', { field: 'body' });
    } catch (err) {
      await file.close().catch(() => {});
      await discard();
      throw err;
    }
    await file.close();
    return {
      sha256: hash.digest('hex'),
      size,
      filename: sanitiseFilename(meta.filename),
      mediaType: safeMediaType(meta.mediaType),
      discard,
      chunks: () => fileChunks(path),
    };
  }

  /** stage, then `fn`, then the temp file is removed whatever happened. */
  async withStaged<T>(body: AsyncIterable<Uint8Array> | Uint8Array, meta: { filename?: string | null; mediaType?: string | null; declaredSize?: number | null }, fn: (staged: StagedAttachment) => Promise<T>): Promise<T> {
    const staged = await this.stage(body, meta);
    try {
      return await fn(staged);
    } finally {
      await staged.discard();
    }
  }

  /**
   * Inside the caller's transaction: the blob (only when that content is not stored yet) and the attachments row
   * hanging on `target`. The caller appends its audit entry in the same transaction.
   */
  async store(tx: Tx, staged: StagedAttachment, target: AttachmentTarget, actor: Principal, nowIso: string): Promise<AttachmentRow> {
    if ((await countAttachments(tx, target)) >= ATTACHMENTS_PER_RECORD) throw new ConflictError(`a record holds at most ${ATTACHMENTS_PER_RECORD} attachments`, { limit: ATTACHMENTS_PER_RECORD });
    await insertBlob(tx, staged.sha256, staged.size, nowIso, staged.chunks);
    const row: AttachmentRow = {
      id: randomUUID(),
      sha256: staged.sha256,
      filename: staged.filename,
      media_type: staged.mediaType,
      size: staged.size,
      finding_seq: 'findingSeq' in target ? target.findingSeq : null,
      case_message_id: 'caseMessageId' in target ? target.caseMessageId : null,
      created_by: actor.userId,
      created_at: nowIso,
    };
    await insertAttachment(tx, row);
    return row;
  }

  /** Unscoped: the caller checks that it hangs on the record it authorised on. */
  async find(id: string): Promise<AttachmentRow | undefined> {
    return findAttachment(this.deps.db, id);
  }

  /** Unscoped: for a record the caller has authorised on. */
  async list(target: AttachmentTarget, limit = ATTACHMENTS_PER_RECORD): Promise<AttachmentRow[]> {
    return listAttachments(this.deps.db, target, limit);
  }

  /** The content as a stream, a few chunks per query. */
  content(row: AttachmentRow): Readable {
    return Readable.from(readChunks(this.deps.db, row.sha256), { objectMode: false });
  }
}

async function* fileChunks(path: string): AsyncGenerator<Uint8Array> {
  const file = await open(path, 'r');
  try {
    for (;;) {
      const buf = Buffer.allocUnsafe(ATTACHMENT_CHUNK_BYTES);
      let filled = 0;
      while (filled < buf.length) {
        const { bytesRead } = await file.read(buf, filled, buf.length - filled, null);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      if (filled === 0) return;
      yield buf.subarray(0, filled);
      if (filled < buf.length) return;
    }
  } finally {
    await file.close();
  }
}

/**
 * Feeds each chunk of the body to `fn`, one at a time (the stream is paused while `fn` writes). When `fn` throws, a
 * stream is not destroyed (that would reset the connection before the client reads the answer) but drained.
 */
async function eachChunk(body: AsyncIterable<Uint8Array> | Uint8Array, fn: (chunk: Uint8Array) => Promise<void>): Promise<void> {
  if (body instanceof Uint8Array) return fn(body);
  const s = body as Partial<Readable>;
  if (typeof s.on !== 'function' || typeof s.pause !== 'function') {
    for await (const chunk of body) await fn(chunk);
    return;
  }
  const stream = body as Readable;
  await new Promise<void>((resolve, reject) => {
    let failed = false;
    const fail = (err: unknown) => {
      if (failed) return;
      failed = true;
      stream.off('data', onData);
      drain(stream);
      reject(err);
    };
    const onData = (chunk: Uint8Array) => {
      stream.pause();
      fn(chunk).then(() => !failed && stream.resume(), fail);
    };
    stream.on('data', onData);
    stream.once('end', () => !failed && resolve());
    // A client that goes away mid-upload is not a server fault.
    stream.once('error', (err) => fail(err instanceof DomainError ? err : new InvalidInputError(`the upload was interrupted: ${err.message}`, { field: 'body' })));
    stream.once('aborted', () => fail(new InvalidInputError('the upload was interrupted before it ended', { field: 'body' })));
    stream.resume();
  });
}

/** Lets the rest of a refused body flow into nothing, so the client is not cut off before it reads the answer. */
function drain(body: AsyncIterable<Uint8Array> | Uint8Array): void {
  const s = body as Partial<Readable>;
  if (typeof s.resume === 'function' && typeof s.on === 'function') {
    s.on('error', () => {});
    s.resume();
  }
}
