/**
 * Loads OSV advisories from files, folders (recursively) and ZIP archives (the layout of osv.dev's and our shared
 * `osv/*.zip`: one JSON record per entry, any folder depth). Records are handed to a callback one at a time so a
 * caller can index half a million advisories without holding their JSON. One bad advisory never stops the rest:
 * it lands in `errors` naming the file or `archive!entry`.
 */
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseOsvRecord, type OsvRecord } from './osv.ts';
import { DEFAULT_ZIP_LIMITS, listZip, readZipEntry, unsafeEntryName, ZipFormatError, type ZipLimits } from './zip-reader.ts';

export interface SourceError {
  /** File path, or `archive.zip!path/in/archive.json`. */
  source: string;
  message: string;
}

export interface LoadSummary {
  /** Records handed to the callback. */
  records: number;
  errors: SourceError[];
  /** Non-fatal faults inside records that were loaded (bad ranges and the like). */
  warnings: SourceError[];
}

export type RecordSink = (record: OsvRecord, source: string) => void;

export interface LoadOptions {
  zipLimits?: ZipLimits;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes UTF-8 strictly (a BOM is allowed), so mis-encoded files are reported instead of silently mangled. */
export function decodeUtf8(bytes: Uint8Array): string {
  const text = utf8.decode(bytes);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 3 || bytes[2] === 5);
}

/**
 * Parses one JSON document of advisories (a record or an array of records) and feeds each to `sink`. Pure apart
 * from the callback.
 */
export function ingestAdvisoryBytes(bytes: Uint8Array, source: string, sink: RecordSink, summary: LoadSummary): void {
  let text: string;
  try {
    text = decodeUtf8(bytes);
  } catch {
    summary.errors.push({ source, message: 'not valid UTF-8 (OSV JSON must be UTF-8)' });
    return;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    summary.errors.push({ source, message: `not valid JSON: ${(err as Error).message}` });
    return;
  }
  const items = Array.isArray(value) ? value : [value];
  items.forEach((item, i) => {
    const at = Array.isArray(value) ? `${source}[${i}]` : source;
    try {
      const { record, problems } = parseOsvRecord(item);
      for (const p of problems) summary.warnings.push({ source: at, message: `${record.id}: ${p}` });
      summary.records++;
      sink(record, at);
    } catch (err) {
      summary.errors.push({ source: at, message: (err as Error).message });
    }
  });
}

/** Reads every `*.json` entry of a ZIP archive held in memory. Archive-level faults become one error. */
export function ingestAdvisoryZip(
  bytes: Uint8Array,
  archive: string,
  sink: RecordSink,
  summary: LoadSummary,
  limits: ZipLimits = DEFAULT_ZIP_LIMITS,
): void {
  let entries;
  try {
    entries = listZip(bytes, limits);
  } catch (err) {
    summary.errors.push({ source: archive, message: (err as Error).message });
    return;
  }
  let budget = limits.maxTotalBytes;
  for (const e of entries) {
    if (e.directory) continue;
    const source = `${archive}!${e.name}`;
    const unsafe = unsafeEntryName(e.name);
    if (unsafe) {
      summary.errors.push({ source, message: `entry name ${unsafe}; entry rejected` });
      continue;
    }
    if (!e.name.toLowerCase().endsWith('.json')) continue;
    let data: Uint8Array;
    try {
      data = readZipEntry(bytes, e, limits, budget);
    } catch (err) {
      summary.errors.push({ source, message: (err as Error).message });
      // A total-size overrun or a bomb means the archive is hostile: stop reading it rather than grind through it.
      if (err instanceof ZipFormatError && /total|zip bomb/.test(err.message)) return;
      continue;
    }
    budget -= data.length;
    ingestAdvisoryBytes(data, source, sink, summary);
  }
}

/** Loads a file (JSON or ZIP, told apart by content) or a folder tree. */
export async function loadAdvisories(path: string, sink: RecordSink, options: LoadOptions = {}): Promise<LoadSummary> {
  const summary: LoadSummary = { records: 0, errors: [], warnings: [] };
  await loadInto(path, sink, summary, options, true);
  return summary;
}

async function loadInto(path: string, sink: RecordSink, summary: LoadSummary, options: LoadOptions, top: boolean): Promise<void> {
  let st;
  try {
    st = await lstat(path);
  } catch (err) {
    summary.errors.push({ source: path, message: `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
    return;
  }
  if (st.isSymbolicLink() && !top) return; // Symlinks inside a tree could loop or escape it.
  if (st.isSymbolicLink()) {
    const { stat } = await import('node:fs/promises');
    st = await stat(path);
  }
  if (st.isDirectory()) {
    const names = (await readdir(path)).sort();
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const child = join(path, name);
      const cst = await lstat(child).catch(() => null);
      if (!cst) continue;
      if (cst.isDirectory() || /\.(json|zip)$/i.test(name)) await loadInto(child, sink, summary, options, false);
    }
    return;
  }
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    summary.errors.push({ source: path, message: `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
    return;
  }
  if (isZip(bytes) || /\.zip$/i.test(path)) ingestAdvisoryZip(bytes, path, sink, summary, options.zipLimits);
  else ingestAdvisoryBytes(bytes, path, sink, summary);
}
