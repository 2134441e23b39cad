import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { strToU8, zipSync } from 'fflate';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { DEFAULT_ZIP_LIMITS, HostileZipError, listZip, readZipEntry, ZipFormatError, type ZipEntryInfo } from './zip-reader.ts';

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

/**
 * The overlapping-entry bomb: one deflated member, and a central directory listing it `copies` times under
 * different names, all pointing at the same local header.
 */
function overlappingZip(member: Uint8Array, copies: number): Uint8Array {
  const data = deflateRawSync(member);
  const name = Buffer.from('a.json');
  const local = Buffer.alloc(30 + name.length);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(member.length, 22);
  local.writeUInt16LE(name.length, 26);
  name.copy(local, 30);
  const cens: Buffer[] = [];
  for (let i = 0; i < copies; i++) {
    const n = Buffer.from(`m${i}.json`);
    const c = Buffer.alloc(46 + n.length);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(20, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt16LE(8, 10);
    c.writeUInt32LE(data.length, 20);
    c.writeUInt32LE(member.length, 24);
    c.writeUInt16LE(n.length, 28);
    c.writeUInt32LE(0, 42);
    n.copy(c, 46);
    cens.push(c);
  }
  const cd = Buffer.concat(cens);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(copies, 8);
  eocd.writeUInt16LE(copies, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(local.length + data.length, 16);
  return new Uint8Array(Buffer.concat([local, data, cd, eocd]));
}

describe('hostile archives', () => {
  const member = strToU8('{"id":"X-1","modified":"2026-01-01T00:00:00Z","details":"' + 'x'.repeat(2_000_000) + '"}');

  it('refuses entries that overlap in the archive, naming them, before inflating anything', () => {
    const zip = overlappingZip(member, 140);
    assert.throws(() => listZip(zip), (err: unknown) => err instanceof HostileZipError && /entry "m\d+\.json" overlaps entry "m\d+\.json"/.test(err.message));
  });

  it('a well-formed archive with many entries still lists', () => {
    const files: Record<string, Uint8Array> = {};
    for (let i = 0; i < 50; i++) files[`e${i}.json`] = strToU8(text);
    assert.equal(listZip(zipSync(files)).length, 50);
  });

  it('keeps a total-size cap a small machine survives', () => {
    assert.ok(DEFAULT_ZIP_LIMITS.maxTotalBytes <= 2 * 1024 ** 3);
  });

  it('`clearinghouse scan` exits 2 naming the entry instead of inflating the member again and again', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ch-zip-'));
    try {
      writeFileSync(join(dir, 'bomb.zip'), overlappingZip(member, 140));
      writeFileSync(join(dir, 'sbom.json'), JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', version: 1, components: [] }));
      const bin = new URL('../../bin/clearinghouse.mjs', import.meta.url).pathname;
      const r = spawnSync(process.execPath, [bin, 'scan', '--advisories', join(dir, 'bomb.zip'), join(dir, 'sbom.json')], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, CLEARINGHOUSE_LOG_LEVEL: 'silent' } });
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /bomb\.zip: hostile archive: entry "m\d+\.json" overlaps/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
