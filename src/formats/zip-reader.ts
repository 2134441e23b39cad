/**
 * A defensive ZIP reader for advisory archives. We walk the central directory ourselves (rather than fflate's
 * unzipSync) so that sizes are checked before anything is inflated, and inflate with node:zlib under an output
 * ceiling so a lying header cannot make us allocate more than the caps allow. Pure: bytes in, entries out.
 */
import { inflateRawSync } from 'node:zlib';

export interface ZipLimits {
  /** Most entries (files and directories) an archive may list. */
  maxEntries: number;
  /** Largest uncompressed size of one entry, in bytes. */
  maxEntryBytes: number;
  /** Largest uncompressed size of all entries together, in bytes. */
  maxTotalBytes: number;
  /** Largest uncompressed/compressed ratio of an entry, applied once the entry passes 1 MiB (zip bombs). */
  maxRatio: number;
}

/**
 * The total is what a 2-core, 24 GB machine inflates and parses in seconds and holds as compiled advisories with room
 * to spare (every OSV source's archive is well below it: the largest inflate to a few hundred MiB); 8 GiB, the old
 * cap, took half a minute of inflating and, parsed, grew the process past 4 GB.
 */
export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 2_000_000,
  maxEntryBytes: 64 * 1024 * 1024,
  maxTotalBytes: 2 * 1024 * 1024 * 1024,
  maxRatio: 1000,
};

export class ZipFormatError extends Error {}

/** An archive built to attack its reader (overlapping entries): callers stop and report it, they do not go on. */
export class HostileZipError extends ZipFormatError {
  constructor(message: string) {
    super(`hostile archive: ${message}`);
  }
}

export interface ZipEntryInfo {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localOffset: number;
  directory: boolean;
}

const EOCD_SIG = 0x06054b50;
const CEN_SIG = 0x02014b50;
const LOC_SIG = 0x04034b50;
const RATIO_FLOOR = 1024 * 1024;

function u16(b: Uint8Array, o: number): number {
  return b[o]! | (b[o + 1]! << 8);
}
function u32(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}

/** Why an entry name is unsafe to use as a path, or null. We never extract, but such names signal a crafted archive. */
export function unsafeEntryName(name: string): string | null {
  if (name.includes('\u0000')) return 'contains a NUL byte';
  if (name.includes('\\')) return 'contains a backslash';
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return 'is an absolute path';
  if (name.split('/').some((seg) => seg === '..')) return 'climbs out of the archive with ".."';
  return null;
}

/** Lists the central directory. Throws ZipFormatError for a truncated or malformed archive. */
export function listZip(bytes: Uint8Array, limits: ZipLimits = DEFAULT_ZIP_LIMITS): ZipEntryInfo[] {
  if (bytes.length < 22) throw new ZipFormatError('too short to be a ZIP archive (truncated?)');
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (u32(bytes, i) === EOCD_SIG) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ZipFormatError('no end-of-central-directory record (truncated or not a ZIP archive)');
  const count = u16(bytes, eocd + 10);
  const cdSize = u32(bytes, eocd + 12);
  const cdOffset = u32(bytes, eocd + 16);
  if (count === 0xffff || cdOffset === 0xffffffff) throw new ZipFormatError('ZIP64 archives are not supported');
  if (count > limits.maxEntries) throw new ZipFormatError(`archive lists ${count} entries, more than the limit of ${limits.maxEntries}`);
  if (cdOffset + cdSize > eocd) throw new ZipFormatError('central directory lies outside the archive (truncated?)');
  const entries: ZipEntryInfo[] = [];
  let p = cdOffset;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (let i = 0; i < count; i++) {
    if (p + 46 > eocd || u32(bytes, p) !== CEN_SIG) throw new ZipFormatError(`central directory entry ${i} is damaged`);
    const method = u16(bytes, p + 10);
    const compressedSize = u32(bytes, p + 20);
    const size = u32(bytes, p + 24);
    const nameLen = u16(bytes, p + 28);
    const extraLen = u16(bytes, p + 30);
    const commentLen = u16(bytes, p + 32);
    const localOffset = u32(bytes, p + 42);
    let name: string;
    try {
      name = decoder.decode(bytes.subarray(p + 46, p + 46 + nameLen));
    } catch {
      throw new ZipFormatError(`central directory entry ${i} has a name that is not UTF-8`);
    }
    entries.push({ name, method, compressedSize, size, localOffset, directory: name.endsWith('/') });
    p += 46 + nameLen + extraLen + commentLen;
  }
  checkNoOverlap(bytes, entries, cdOffset);
  return entries;
}

/**
 * Every entry's bytes (local header and data) must lie apart from every other's and before the central directory.
 * Overlapping entries are how a few kilobytes make a reader inflate one large member over and over (a "better zip
 * bomb"); no archiver writes them, so they are refused outright. Sorting by offset makes this one pass.
 */
function checkNoOverlap(bytes: Uint8Array, entries: readonly ZipEntryInfo[], cdOffset: number): void {
  const spans = entries.map((e) => {
    const lo = e.localOffset;
    if (lo + 30 > cdOffset || u32(bytes, lo) !== LOC_SIG) throw new ZipFormatError(`entry ${JSON.stringify(e.name)}: local header missing (truncated or crafted archive)`);
    return { name: e.name, start: lo, end: lo + 30 + u16(bytes, lo + 26) + u16(bytes, lo + 28) + e.compressedSize };
  });
  spans.sort((a, b) => a.start - b.start);
  for (let i = 0; i < spans.length; i++) {
    const s = spans[i]!;
    if (s.end > cdOffset) throw new HostileZipError(`entry ${JSON.stringify(s.name)} runs into the central directory`);
    const prev = spans[i - 1];
    if (prev && s.start < prev.end) throw new HostileZipError(`entry ${JSON.stringify(s.name)} overlaps entry ${JSON.stringify(prev.name)} in the archive; refused`);
  }
}

/**
 * Inflates one entry, enforcing the per-entry and ratio caps on the bytes actually produced (not only on the
 * declared size). `budget` is what remains of the total cap.
 */
export function readZipEntry(bytes: Uint8Array, e: ZipEntryInfo, limits: ZipLimits, budget: number): Uint8Array {
  if (e.size > limits.maxEntryBytes) throw new ZipFormatError(`declares ${e.size} bytes, more than the per-entry limit of ${limits.maxEntryBytes}`);
  if (e.size > budget) throw new ZipFormatError('would exceed the total uncompressed size limit');
  const lo = e.localOffset;
  if (lo + 30 > bytes.length || u32(bytes, lo) !== LOC_SIG) throw new ZipFormatError('local header missing (truncated archive?)');
  const start = lo + 30 + u16(bytes, lo + 26) + u16(bytes, lo + 28);
  const end = start + e.compressedSize;
  if (end > bytes.length) throw new ZipFormatError('data runs past the end of the archive (truncated?)');
  const data = bytes.subarray(start, end);
  if (e.method === 0) {
    if (e.compressedSize !== e.size) throw new ZipFormatError('stored entry sizes disagree');
    return data;
  }
  if (e.method !== 8) throw new ZipFormatError(`compression method ${e.method} is not supported`);
  if (data.length === 0 && e.size === 0) return data; // Some writers store an empty file as zero deflate bytes.
  // Every cap becomes one output ceiling for zlib, which stops inflating there, so a lying header or a bomb costs at
  // most that many bytes. One byte above the declared size is enough to tell that the header lied.
  const cap = Math.min(limits.maxEntryBytes, budget);
  const ratioCap = Math.max(RATIO_FLOOR, Math.floor(limits.maxRatio * Math.max(1, e.compressedSize)));
  const ceiling = Math.min(cap, ratioCap, e.size + 1);
  let out: Uint8Array;
  try {
    // Native zlib: several times faster than a JavaScript inflater on the tens of thousands of small entries
    // an advisory archive holds.
    out = inflateRawSync(data, { maxOutputLength: Math.max(1, ceiling) });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      if (ceiling === cap && cap <= e.size) throw new ZipFormatError(`inflates past the ${cap === budget ? 'total' : 'per-entry'} size limit`);
      if (ceiling === ratioCap && ratioCap <= e.size) throw new ZipFormatError(`compression ratio above ${limits.maxRatio}: likely a zip bomb`);
      throw new ZipFormatError(`inflates past the ${e.size} bytes its header declares (corrupt or crafted)`);
    }
    throw new ZipFormatError(`corrupt or truncated compressed data: ${(err as Error).message}`);
  }
  if (out.length !== e.size) throw new ZipFormatError(`inflated to ${out.length} bytes but the header says ${e.size} (corrupt or truncated)`);
  return out;
}
