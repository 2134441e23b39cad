/**
 * OSV records as raw JSON for `AdvisoryService.importRecords`, from files, folders, ZIP archives or bytes in hand.
 * advisory-source.ts compiles records for the matcher and drops the JSON; the import validates and stores the JSON
 * itself, so this walks the same layouts (same ZIP reader and caps, same UTF-8 rule, same `archive!entry` naming)
 * but hands out `{ path, json }`. Faults that are not a record (unreadable file, bad JSON, hostile archive) land in
 * `problems` with the path, so the caller reports them beside the service's rejections.
 *
 * It is an async generator that yields to the event loop after every file or entry: on the server a 100 MiB upload
 * then never holds the thread for longer than one entry's inflate and parse (each entry is capped).
 */
import { lstat, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { decodeUtf8 } from './advisory-source.ts';
import { DEFAULT_ZIP_LIMITS, listZip, readZipEntry, unsafeEntryName, ZipFormatError, type ZipLimits } from './zip-reader.ts';

export interface ImportItem {
  path: string;
  json: unknown;
}

export interface ImportProblem {
  path: string;
  reason: string;
}

export function isZipBytes(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 3 || bytes[2] === 5);
}

/** One JSON document: a record, an array of records, or `{ records: [...] }` (the HTTP body shape). */
export function itemsOfJson(bytes: Uint8Array, source: string, problems: ImportProblem[]): ImportItem[] {
  let text: string;
  try {
    text = decodeUtf8(bytes);
  } catch {
    problems.push({ path: source, reason: 'not valid UTF-8 (OSV JSON must be UTF-8)' });
    return [];
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    problems.push({ path: source, reason: `not valid JSON: ${(err as Error).message}` });
    return [];
  }
  return itemsOfValue(value, source);
}

export function itemsOfValue(value: unknown, source: string): ImportItem[] {
  const wrapped = value !== null && typeof value === 'object' && !Array.isArray(value) && Array.isArray((value as { records?: unknown }).records) && !('id' in value);
  const list = wrapped ? ((value as { records: unknown[] }).records) : Array.isArray(value) ? value : null;
  if (!list) return [{ path: source, json: value }];
  const base = wrapped ? `${source}/records` : source;
  return list.map((json, i) => ({ path: `${base}[${i}]`, json }));
}

/** Every `*.json` entry of an archive held in memory; archive-level faults become one problem. */
export async function* itemsOfZip(bytes: Uint8Array, archive: string, problems: ImportProblem[], limits: ZipLimits = DEFAULT_ZIP_LIMITS): AsyncGenerator<ImportItem> {
  let entries;
  try {
    entries = listZip(bytes, limits);
  } catch (err) {
    problems.push({ path: archive, reason: (err as Error).message });
    return;
  }
  let budget = limits.maxTotalBytes;
  for (const e of entries) {
    if (e.directory) continue;
    const source = `${archive}!${e.name}`;
    const unsafe = unsafeEntryName(e.name);
    if (unsafe) {
      problems.push({ path: source, reason: `entry name ${unsafe}; entry rejected` });
      continue;
    }
    if (!e.name.toLowerCase().endsWith('.json')) continue;
    let data: Uint8Array;
    try {
      data = readZipEntry(bytes, e, limits, budget);
    } catch (err) {
      problems.push({ path: source, reason: (err as Error).message });
      // As in advisory-source.ts: an overrun of the total or a bomb marks the archive hostile; stop reading it.
      if (err instanceof ZipFormatError && /total|zip bomb/.test(err.message)) return;
      continue;
    }
    budget -= data.length;
    yield* itemsOfJson(data, source, problems);
    await yieldToLoop();
  }
}

/** Bytes of unknown kind (told apart by content): a ZIP archive or a JSON document. */
export async function* itemsOfBytes(bytes: Uint8Array, source: string, problems: ImportProblem[], limits?: ZipLimits): AsyncGenerator<ImportItem> {
  if (isZipBytes(bytes)) yield* itemsOfZip(bytes, source, problems, limits);
  else yield* itemsOfJson(bytes, source, problems);
}

/** Files (JSON or ZIP) and folder trees (their `*.json` and `*.zip`, recursively, dot-files and inner symlinks skipped). */
export async function* itemsOfPaths(paths: readonly string[], problems: ImportProblem[], limits?: ZipLimits): AsyncGenerator<ImportItem> {
  for (const p of paths) yield* itemsOfPath(p, problems, limits, true);
}

async function* itemsOfPath(path: string, problems: ImportProblem[], limits: ZipLimits | undefined, top: boolean): AsyncGenerator<ImportItem> {
  let st;
  try {
    st = await lstat(path);
    if (st.isSymbolicLink()) {
      // Symlinks inside a tree could loop or escape it; one named on the command line is followed.
      if (!top) return;
      st = await stat(path);
    }
  } catch (err) {
    problems.push({ path, reason: `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
    return;
  }
  if (st.isDirectory()) {
    for (const name of (await readdir(path)).sort()) {
      if (name.startsWith('.')) continue;
      const child = join(path, name);
      const cst = await lstat(child).catch(() => null);
      if (!cst || cst.isSymbolicLink()) continue;
      if (cst.isDirectory() || /\.(json|zip)$/i.test(name)) yield* itemsOfPath(child, problems, limits, false);
    }
    return;
  }
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    problems.push({ path, reason: `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
    return;
  }
  if (isZipBytes(bytes) || /\.zip$/i.test(path)) yield* itemsOfZip(bytes, path, problems, limits);
  else yield* itemsOfJson(bytes, path, problems);
  await yieldToLoop();
}
