/**
 * The CPU-heavy half of a findings upload, run in a worker thread by the server (finding-parse.pool.ts) and in-process
 * by the CLI: unzip, JSON parse, schema validation (SARIF 2.1.0 with ajv, CSAF with the validator library), and the
 * check and normalisation of every entry. Pure apart from CPU, so the same function serves both.
 *
 * What comes back is per file: the format, or why the file could not be read (`unreadable`: the CLI's exit 2 and
 * the API's 400, nothing written), and its entries as normalised findings or as the reason each is not one.
 */
import { FINDING_LIMITS, FindingInputError, normaliseFinding, type NormalisedFinding } from '../../domain/intake/finding-input.ts';
import { DocumentError, InvalidDocumentError, MAX_DOCUMENT_BYTES, parseFindingDocument, type DocumentFormat } from '../../formats/finding-documents.ts';
import { listZip, readZipEntry, unsafeEntryName, ZipFormatError, type ZipLimits } from '../../formats/zip-reader.ts';

/** Caps of one upload (docs/findings.md "Caps"). */
export const UPLOAD_LIMITS = {
  /** One JSON document (the body as application/json, or one file of the CLI). */
  documentBytes: MAX_DOCUMENT_BYTES,
  /** A ZIP body. */
  zipBytes: 64 * 1024 * 1024,
  zip: { maxEntries: 5_000, maxEntryBytes: MAX_DOCUMENT_BYTES, maxTotalBytes: 256 * 1024 * 1024, maxRatio: 1000 } satisfies ZipLimits,
  /** Findings in one request, over all its files. */
  findings: FINDING_LIMITS.perRequest,
  /** Longest a parse may take before it is abandoned. */
  parseMs: 60_000,
} as const;

export type ParseInput = { kind: 'files'; files: { path: string; body: Uint8Array }[] } | { kind: 'zip'; path: string; body: Uint8Array };

export interface ParsedEntry {
  /** `file` or `file#/runs/0/results/3` */
  path: string;
  finding?: NormalisedFinding;
  problem?: string;
}

export interface ParsedFile {
  path: string;
  format: DocumentFormat | null;
  /** Why the whole file could not be read (not JSON, unknown format, fails its schema, too large); null when read. */
  unreadable: string | null;
  entries: ParsedEntry[];
}

export interface ParseOutput {
  files: ParsedFile[];
  /** Entries skipped without being read (a ZIP's non-document members), with why. */
  skipped: { path: string; reason: string }[];
}

/** Raised when an upload holds more findings than one request may carry; nothing is written then. */
export class TooManyFindingsError extends Error {
  constructor(readonly limit: number) {
    super(`the upload holds more than ${limit} findings, the most one request may carry; split it into several uploads`);
  }
}

const DOCUMENT_NAME = /\.(json|sarif)$/i;

async function parseOne(path: string, body: Uint8Array, count: { n: number }, opts: ParseOptions): Promise<ParsedFile> {
  let doc;
  try {
    doc = await parseFindingDocument(Buffer.from(body.buffer, body.byteOffset, body.byteLength), opts);
  } catch (err) {
    if (err instanceof DocumentError || err instanceof InvalidDocumentError) return { path, format: null, unreadable: err.message, entries: [] };
    throw err;
  }
  const entries: ParsedEntry[] = [];
  for (const e of doc.entries) {
    if (++count.n > UPLOAD_LIMITS.findings) throw new TooManyFindingsError(UPLOAD_LIMITS.findings);
    const p = e.pointer ? `${path}#${e.pointer}` : path;
    if (!e.draft) {
      entries.push({ path: p, problem: e.problem ?? 'not a finding' });
      continue;
    }
    try {
      entries.push({ path: p, finding: normaliseFinding(e.draft) });
    } catch (err) {
      if (!(err instanceof FindingInputError)) throw err;
      entries.push({ path: p, problem: err.field && !err.message.startsWith(err.field) ? `${err.field}: ${err.message}` : err.message });
    }
  }
  return { path, format: doc.format, unreadable: null, entries };
}

export interface ParseOptions {
  /** Throw CsafDeferredError on a CSAF document rather than load the CSAF validator (on the request thread). */
  deferCsaf?: boolean;
}

export async function parseFindingUpload(input: ParseInput, opts: ParseOptions = {}): Promise<ParseOutput> {
  const count = { n: 0 };
  const out: ParseOutput = { files: [], skipped: [] };
  if (input.kind === 'files') {
    // A ZIP among the files (the CLI takes archives too) is read member by member.
    for (const f of input.files) {
      if (isZip(f.body)) await parseZip(f.path, f.body, count, out, opts);
      else out.files.push(await parseOne(f.path, f.body, count, opts));
    }
    return out;
  }
  await parseZip(input.path, input.body, count, out, opts);
  return out;
}

const isZip = (b: Uint8Array) => b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;

async function parseZip(archive: string, body: Uint8Array, count: { n: number }, out: ParseOutput, opts: ParseOptions): Promise<void> {
  const input = { path: archive, body };
  let entries;
  try {
    entries = listZip(input.body, UPLOAD_LIMITS.zip);
  } catch (err) {
    if (!(err instanceof ZipFormatError)) throw err;
    out.files.push({ path: input.path, format: null, unreadable: `not a ZIP archive we read: ${err.message}`, entries: [] });
    return;
  }
  let budget = UPLOAD_LIMITS.zip.maxTotalBytes;
  for (const e of entries) {
    if (e.directory) continue;
    const path = `${input.path}!${e.name}`;
    const base = e.name.split('/').pop() ?? '';
    const unsafe = unsafeEntryName(e.name);
    if (unsafe) {
      out.files.push({ path, format: null, unreadable: `entry name ${unsafe}`, entries: [] });
      continue;
    }
    if (base.startsWith('.') || e.name.startsWith('__MACOSX/')) continue;
    if (!DOCUMENT_NAME.test(base)) {
      out.skipped.push({ path, reason: 'skipped: only .json and .sarif members of an archive are read' });
      continue;
    }
    let data: Uint8Array;
    try {
      data = readZipEntry(input.body, e, UPLOAD_LIMITS.zip, budget);
    } catch (err) {
      if (!(err instanceof ZipFormatError)) throw err;
      out.files.push({ path, format: null, unreadable: err.message, entries: [] });
      // A bomb or an overrun of the total marks the whole archive: stop reading it.
      if (/total|bomb|ratio/i.test(err.message)) return;
      continue;
    }
    budget -= data.length;
    out.files.push(await parseOne(path, data, count, opts));
  }
}

export type ParseAnswer = { ok: ParseOutput } | { tooMany: number };

/** Piscina's entry point: the cap on findings crosses the thread boundary as data. */
export default async function run(input: ParseInput): Promise<ParseAnswer> {
  try {
    return { ok: await parseFindingUpload(input) };
  } catch (err) {
    if (err instanceof TooManyFindingsError) return { tooMany: err.limit };
    throw err;
  }
}
