import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync, strToU8 } from 'fflate';
import type { OsvRecord } from './osv.ts';
import { ingestAdvisoryZip, loadAdvisories, type LoadSummary } from './advisory-source.ts';
import { DEFAULT_ZIP_LIMITS } from './zip-reader.ts';

const rec = (id: string) => JSON.stringify({ id, modified: '2024-01-01T00:00:00Z', affected: [] });

function ingest(bytes: Uint8Array, limits = DEFAULT_ZIP_LIMITS) {
  const ids: string[] = [];
  const summary: LoadSummary = { records: 0, errors: [], warnings: [] };
  ingestAdvisoryZip(bytes, 't.zip', (r: OsvRecord) => ids.push(r.id), summary, limits);
  return { ids, summary };
}

/** Rewrites a name inside both headers of a fflate-made zip (same length), to forge names fflate refuses to write. */
function renameInZip(zip: Uint8Array, from: string, to: string): Uint8Array {
  assert.equal(from.length, to.length);
  const out = zip.slice();
  const a = Buffer.from(from), b = Buffer.from(to);
  const buf = Buffer.from(out.buffer);
  let i = buf.indexOf(a);
  while (i >= 0) {
    b.copy(buf, i);
    i = buf.indexOf(a, i + 1);
  }
  return out;
}

describe('advisory zips', () => {
  it('loads nested JSON entries and reports one bad advisory without losing the rest', () => {
    const zip = zipSync({ 'a/GO-1.json': strToU8(rec('GO-1')), 'b/c/GO-2.json': strToU8(rec('GO-2')), 'bad.json': strToU8('{"id": '), 'README.txt': strToU8('hi') });
    const { ids, summary } = ingest(zip);
    assert.deepEqual(ids.sort(), ['GO-1', 'GO-2']);
    assert.equal(summary.errors.length, 1);
    assert.equal(summary.errors[0]!.source, 't.zip!bad.json');
    assert.match(summary.errors[0]!.message, /not valid JSON/);
  });

  it('names the entry that is not UTF-8', () => {
    const latin1 = new Uint8Array([...strToU8('{"id":"X-1","modified":"x","summary":"caf'), 0xe9, ...strToU8('"}')]);
    const { ids, summary } = ingest(zipSync({ 'x.json': latin1, 'ok.json': strToU8(rec('OK-1')) }));
    assert.deepEqual(ids, ['OK-1']);
    assert.equal(summary.errors[0]!.source, 't.zip!x.json');
    assert.match(summary.errors[0]!.message, /UTF-8/);
  });

  it('reports a truncated archive instead of throwing', () => {
    const zip = zipSync({ 'a.json': strToU8(rec('A-1')) });
    const { ids, summary } = ingest(zip.subarray(0, zip.length - 30));
    assert.deepEqual(ids, []);
    assert.match(summary.errors[0]!.message, /truncated/);
  });

  it('rejects path tricks', () => {
    const zip = renameInZip(zipSync({ 'xx/evil.json': strToU8(rec('E-1')), 'ok.json': strToU8(rec('OK-1')) }), 'xx/evil.json', '../evil.json');
    const { ids, summary } = ingest(zip);
    assert.deepEqual(ids, ['OK-1']);
    assert.match(summary.errors[0]!.message, /climbs out/);
  });

  it('stops at entry count, entry size, total size and compression ratio caps', () => {
    const many = zipSync(Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`${i}.json`, strToU8(rec(`M-${i}`))])));
    assert.match(ingest(many, { ...DEFAULT_ZIP_LIMITS, maxEntries: 10 }).summary.errors[0]!.message, /more than the limit/);

    const big = zipSync({ 'big.json': strToU8(rec('B-1') + ' '.repeat(5000)) });
    assert.match(ingest(big, { ...DEFAULT_ZIP_LIMITS, maxEntryBytes: 1000 }).summary.errors[0]!.message, /per-entry/);
    assert.match(ingest(zipSync({ 'a.json': strToU8(rec('A') + ' '.repeat(800)), 'b.json': strToU8(rec('B') + ' '.repeat(800)) }), { ...DEFAULT_ZIP_LIMITS, maxTotalBytes: 1200 }).summary.errors[0]!.message, /total/);

    // 8 MiB of spaces compresses about a thousandfold: a small zip bomb.
    const bomb = zipSync({ 'bomb.json': new Uint8Array(8 * 1024 * 1024).fill(32) }, { level: 9 });
    const { ids, summary } = ingest(bomb, { ...DEFAULT_ZIP_LIMITS, maxRatio: 100 });
    assert.deepEqual(ids, []);
    assert.match(summary.errors[0]!.message, /zip bomb/);
  });
});

describe('advisory folders and files', () => {
  it('walks folders recursively, reads zips inside them, and reports unreadable paths', async () => {
    const root = mkdtempSync(join(tmpdir(), 'adv-'));
    mkdirSync(join(root, 'deep/er'), { recursive: true });
    writeFileSync(join(root, 'deep/er/A-1.json'), rec('A-1'));
    writeFileSync(join(root, 'list.json'), `[${rec('L-1')},${rec('L-2')}]`);
    writeFileSync(join(root, 'z.zip'), zipSync({ 'Z-1.json': strToU8(rec('Z-1')) }));
    writeFileSync(join(root, 'notes.txt'), 'ignored');
    const ids: string[] = [];
    const s = await loadAdvisories(root, (r) => ids.push(r.id));
    assert.deepEqual(ids.sort(), ['A-1', 'L-1', 'L-2', 'Z-1']);
    assert.deepEqual(s.errors, []);
    const missing = await loadAdvisories(join(root, 'nope'), () => {});
    assert.match(missing.errors[0]!.message, /ENOENT/);
  });
});
