/**
 * Evidence attachments, the pure part (issue 9, docs/findings.md "Attachments"): the size cap, the chunk size, what a
 * stored filename and media type may be, and the Content-Disposition a download carries. No I/O.
 *
 * The content of an attachment is whatever a reporter (or a case participant) sent: an exploit, a crash dump, an HTML
 * page that runs script. It is served only as a download (`Content-Disposition: attachment`, `nosniff`, a sandboxing
 * CSP), and only under a media type from a short list of types browsers do not execute; anything else is served as
 * application/octet-stream whatever the uploader claimed.
 */

/** Default cap on one attachment (CLEARINGHOUSE_ATTACHMENT_LIMIT overrides it). */
export const ATTACHMENT_DEFAULT_LIMIT = 25 * 1024 * 1024;
/** Stored content is split into rows of this size (attachment_chunks), so neither database holds one huge value. */
export const ATTACHMENT_CHUNK_BYTES = 256 * 1024;
export const FILENAME_MAX = 200;

/** Media types kept as sent: none of them is rendered as active content by a browser. */
export const SAFE_MEDIA_TYPES: ReadonlySet<string> = new Set([
  'application/octet-stream',
  'text/plain',
  'text/csv',
  'text/markdown',
  'application/json',
  'application/sarif+json',
  'application/vnd.cyclonedx+json',
  'application/spdx+json',
  'application/pdf',
  'application/zip',
  'application/gzip',
  'application/x-gzip',
  'application/x-tar',
  'application/x-7z-compressed',
  'application/vnd.tcpdump.pcap',
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'video/mp4',
  'video/webm',
  'audio/mpeg',
  'audio/wav',
]);

/**
 * `text/plain; charset=utf-8` -> `text/plain`; anything not on the safe list (HTML, SVG, XML, JavaScript...) or not a
 * media type at all -> application/octet-stream.
 */
export function safeMediaType(sent: string | null | undefined): string {
  const type = (sent ?? '').split(';')[0]!.trim().toLowerCase();
  return SAFE_MEDIA_TYPES.has(type) ? type : 'application/octet-stream';
}

/**
 * A stored filename: the last path segment only (no directories, either separator), NFC, no control or format
 * characters, none of the characters that are special in a header or on common file systems, no leading dots (no
 * hidden files), at most FILENAME_MAX characters with the extension kept. Never empty.
 */
export function sanitiseFilename(sent: string | null | undefined): string {
  let name = (sent ?? '').normalize('NFC');
  name = name.split(/[/\\]/).pop() ?? '';
  name = name
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '')
    .replace(/["*:<>?|;]/g, '_')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[.\s]+/, '')
    .replace(/[.\s]+$/, '');
  const chars = [...name];
  if (chars.length > FILENAME_MAX) {
    const dot = name.lastIndexOf('.');
    const ext = dot > 0 ? [...name.slice(dot)] : [];
    const keep = ext.length > 0 && ext.length <= 16 ? ext : [];
    name = chars.slice(0, FILENAME_MAX - keep.length).join('') + keep.join('');
  }
  return name || 'attachment';
}

/**
 * `attachment; filename="<ASCII fallback>"; filename*=UTF-8''<percent-encoded>` (RFC 6266 and RFC 8187), for a name
 * already sanitised: the fallback replaces everything outside printable ASCII (and the quote and backslash) by `_`.
 */
export function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/** A SHA-256 in lower-case hex, as blobs are addressed. */
export const SHA256_RE = /^[0-9a-f]{64}$/;
