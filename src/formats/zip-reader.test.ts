import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { strToU8, zipSync } from 'fflate';
import { DEFAULT_ZIP_LIMITS, listZip, readZipEntry, ZipFormatError, type ZipEntryInfo } from './zip-reader.ts';

const text = '{"id":"X-1","details":"' + 'lorem ipsum '.repeat(400) + '"}';

function only(zip: Uint8Array): ZipEntryInfo {
  const entries = listZip(zip);
  assert.equal(entries.length, 1);
  return entries[0]!;
}

/** Central-directory offset of the only entry, to forge its header fields. */
function cenOffset(zip: Uint8Array): number {
  for (let i = zip.length - 22; i >= 0; i--) if (zip[i] === 0x50 && zip[i + 1] === 0x4b && zip[i + 2] === 1 && zip[i + 3] === 2) return i;
  throw new Error('no central directory');
}

function withDeclaredSize(zip: Uint8Array, size: number): Uint8Array {
  const out = zip.slice();
  new DataView(out.buffer).setUint32(cenOffset(out) + 24, size, true);
  return out;
}

function read(zip: Uint8Array, limits = DEFAULT_ZIP_LIMITS, budget = limits.maxTotalBytes): Uint8Array {
  return readZipEntry(zip, only(zip), limits, budget);
}

describe('zip entries', () => {
  it('inflates deflated and stored entries to their exact bytes', () => {
    for (const level of [0, 6, 9] as const) {
      const zip = zipSync({ 'a.json': strToU8(text) }, { level });
      assert.equal(only(zip).method, level === 0 ? 0 : 8);
      assert.equal(new TextDecoder().decode(read(zip)), text);
    }
  });

  it('reads an empty deflated entry as empty', () => {
    assert.equal(read(zipSync({ 'e.json': new Uint8Array(0) }, { level: 6 })).length, 0);
  });

  it('rejects an entry that inflates to more than its header declares, without inflating all of it', () => {
    const zip = withDeclaredSize(zipSync({ 'a.json': strToU8(text) }, { level: 9 }), 100);
    assert.throws(() => read(zip), (err: unknown) => err instanceof ZipFormatError && /header declares/.test(err.message));
  });

  it('rejects an entry that inflates to less than its header declares', () => {
    const zip = withDeclaredSize(zipSync({ 'a.json': strToU8(text) }, { level: 9 }), text.length + 10);
    assert.throws(() => read(zip), (err: unknown) => err instanceof ZipFormatError && /inflated to \d+ bytes but the header says/.test(err.message));
  });

  it('rejects corrupt and truncated compressed data', () => {
    const zip = zipSync({ 'a.json': strToU8(text) }, { level: 9 });
    const e = only(zip);
    const start = e.localOffset + 30 + 'a.json'.length;
    const corrupt = zip.slice();
    corrupt.fill(0xff, start, start + 8);
    assert.throws(() => read(corrupt), (err: unknown) => err instanceof ZipFormatError && /corrupt/.test(err.message));
    // The same archive with its compressed stream cut short: the central directory still claims the full size.
    const cut = zip.slice();
    const half = Math.floor(e.compressedSize / 2);
    assert.throws(() => readZipEntry(cut, { ...e, compressedSize: half }, DEFAULT_ZIP_LIMITS, DEFAULT_ZIP_LIMITS.maxTotalBytes), ZipFormatError);
  });

  it('names the cap an honest but oversized entry hits', () => {
    const zip = zipSync({ 'a.json': strToU8(text) }, { level: 9 });
    assert.throws(() => read(zip, { ...DEFAULT_ZIP_LIMITS, maxEntryBytes: 1000 }), /per-entry/);
    assert.throws(() => read(zip, DEFAULT_ZIP_LIMITS, 1000), /total/);
    const bomb = zipSync({ 'b.json': new Uint8Array(4 * 1024 * 1024).fill(32) }, { level: 9 });
    assert.throws(() => read(bomb, { ...DEFAULT_ZIP_LIMITS, maxRatio: 50 }), /zip bomb/);
    assert.equal(read(bomb, { ...DEFAULT_ZIP_LIMITS, maxRatio: 2000 }).length, 4 * 1024 * 1024);
  });
});
