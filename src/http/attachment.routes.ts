/**
 * HTTP pieces of the evidence attachments store (src/services/attachment.service.ts), shared by every route that takes
 * or serves attachments (findings here; case messages reuse them). No routes of its own.
 *
 * - `acceptRawUploads(scope)`: inside an encapsulated plugin, makes every body arrive as an unread stream wrapped in a
 *   `RawUpload` (never buffered: the service streams it to a temporary file while hashing it and enforcing the cap).
 *   Register only the upload routes in that plugin.
 * - `uploadMeta(request)`: the filename (query `filename`, else header `X-Filename`, percent-decoded), the media type
 *   (Content-Type) and the declared size (Content-Length, refused early when over the cap).
 * - `sendAttachment(request, reply, row, stream)`: the download: stored media type, Content-Length,
 *   `Content-Disposition: attachment`, `X-Content-Type-Options: nosniff`, a CSP that runs nothing, ETag = the
 *   SHA-256 (If-None-Match answers 304).
 * - `Attachment`: the TypeBox schema of an attachment as JSON (`{ id, filename, mediaType, size, sha256, createdAt, url }`).
 */
import type { Readable } from 'node:stream';
import { Type } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { contentDisposition } from '../domain/intake/attachment-rules.ts';
import type { AttachmentRow } from '../services/attachment.service.ts';
import { Id, Timestamp } from './schemas.ts';

export const Attachment = Type.Object(
  {
    id: Id,
    filename: Type.String({ description: 'sanitised: the last path segment, no control or header-special characters' }),
    mediaType: Type.String({ description: 'as sent when on the safe list, else application/octet-stream' }),
    size: Type.Integer({ description: 'bytes' }),
    sha256: Type.String({ description: 'SHA-256 of the content, lower-case hex; also the download\'s ETag' }),
    createdAt: Timestamp,
    url: Type.String({ description: 'where the content is downloaded (never inlined into JSON)' }),
  },
  { $id: 'Attachment' },
);

/**
 * An upload body not yet read. The stream sits in a private field: the app's NUL check walks a body's enumerable
 * properties, and a request stream's (socket, server...) are a cycle it must not enter.
 */
export class RawUpload {
  readonly #stream: Readable;
  constructor(stream: Readable) {
    this.#stream = stream;
  }
  get stream(): Readable {
    return this.#stream;
  }
}

/** Every content type is accepted and handed over unread (the service decides what the stored media type is). */
export function acceptRawUploads(scope: { removeAllContentTypeParsers(): void; addContentTypeParser: FastifyInstance['addContentTypeParser'] }): void {
  const s = scope;
  s.removeAllContentTypeParsers();
  s.addContentTypeParser('*', (_req, payload, done) => done(null, new RawUpload(payload as Readable)));
}

export const UploadQuery = Type.Object(
  { filename: Type.Optional(Type.String({ minLength: 1, maxLength: 1000, description: 'the file\'s name (else the X-Filename header)' })) },
  { additionalProperties: false },
);

function decoded(v: string): string {
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}

export function uploadMeta(request: FastifyRequest): { body: Readable | Uint8Array; filename: string | null; mediaType: string | null; declaredSize: number | null } {
  const q = request.query as { filename?: string };
  const header = request.headers['x-filename'];
  const filename = q.filename ?? (typeof header === 'string' && header !== '' ? decoded(header) : null);
  const length = request.headers['content-length'];
  const declaredSize = typeof length === 'string' && /^\d+$/.test(length) ? Number(length) : null;
  const body = request.body instanceof RawUpload ? request.body.stream : new Uint8Array(0);
  return { body, filename, mediaType: request.headers['content-type'] ?? null, declaredSize };
}

export function sendAttachment(request: FastifyRequest, reply: FastifyReply, row: AttachmentRow, content: () => Readable): FastifyReply {
  const etag = `"${row.sha256}"`;
  reply
    .header('ETag', etag)
    .header('X-Content-Type-Options', 'nosniff')
    .header('Content-Security-Policy', "default-src 'none'; sandbox")
    .header('Content-Disposition', contentDisposition(row.filename));
  const inm = request.headers['if-none-match'];
  if (typeof inm === 'string' && inm.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)) return reply.code(304).send();
  return reply.type(row.media_type).header('Content-Length', String(row.size)).send(content());
}
