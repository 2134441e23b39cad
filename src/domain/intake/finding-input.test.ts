import assert from 'node:assert/strict';
import { it } from 'node:test';
import { cpeProduct, decideDuplicates, dedupKeys, FindingInputError, normaliseCwe, normaliseFinding, type FindingDraft } from './finding-input.ts';

const draft = (extra: Partial<FindingDraft> = {}): FindingDraft => ({ title: ' A title ', description: 'd', product: { name: 'Widget' }, ...extra });
const field = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    if (err instanceof FindingInputError) return err.field;
    throw err;
  }
  return null;
};

it('normalises a draft: trimmed text, canonical CWE, purl without version, upper-case aliases once each', () => {
  const f = normaliseFinding(draft({ cwe: 'cwe-079', product: { purl: 'pkg:npm/%40scope/pkg@1.2.3?arch=x#sub', versions: ' < 2 ' }, aliases: ['cve-2026-1', 'CVE-2026-1', 'GHSA-aaaa-bbbb-cccc'], fingerprints: ['h=1', 'h=1'] }));
  assert.equal(f.title, 'A title');
  assert.equal(f.cwe, 'CWE-79');
  assert.equal(f.product.purl, 'pkg:npm/%40scope/pkg');
  assert.equal(f.product.versions, '< 2');
  assert.deepEqual(f.aliases, ['CVE-2026-1', 'GHSA-AAAA-BBBB-CCCC']);
  assert.deepEqual(f.fingerprints, ['h=1']);
  assert.equal(normaliseCwe('external/cwe/cwe-22'), 'CWE-22');
  assert.equal(cpeProduct('cpe:2.3:a:Vendor:Product:1.0:*:*:*:*:*:*:*'), 'vendor:product');
});

it('names the field at fault', () => {
  assert.equal(field(() => normaliseFinding(draft({ title: '' }))), 'title');
  assert.equal(field(() => normaliseFinding(draft({ cwe: 'not one' }))), 'cwe');
  assert.equal(field(() => normaliseFinding(draft({ product: {} }))), 'product');
  assert.equal(field(() => normaliseFinding(draft({ product: { purl: 'nope' } }))), 'product.purl');
  assert.equal(field(() => normaliseFinding(draft({ product: { cpe: 'cpe:2.3:a:*:x' } }))), 'product.cpe');
  assert.equal(field(() => normaliseFinding(draft({ aliases: ['ok-1', 'bad alias'] }))), 'aliases[1]');
  assert.equal(field(() => normaliseFinding(draft({ location: 'x'.repeat(1001) }))), 'location');
  assert.equal(field(() => normaliseFinding(draft({ description: 'has a \u0000 NUL' }))), 'description');
  assert.equal(field(() => normaliseFinding(draft({ fingerprints: Array.from({ length: 21 }, (_, i) => `h=${i}`) }))), 'fingerprints');
});

it('keys a finding by fingerprint per tool, by alias, and by product+CWE+location only when all three are known', () => {
  const f = normaliseFinding(draft({ tool: { name: 'DeepScan' }, fingerprints: ['h=1'], aliases: ['CVE-2026-1'], cwe: 'CWE-22', location: 'App/X.py:7', product: { purl: 'pkg:pypi/x@1' } }));
  assert.deepEqual(dedupKeys(f), [
    { kind: 'fingerprint', value: 'deepscan|h=1' },
    { kind: 'alias', value: 'CVE-2026-1' },
    { kind: 'locus', value: 'purl:pkg:pypi/x|CWE-22|app/x.py:7' },
  ]);
  assert.deepEqual(dedupKeys(normaliseFinding(draft({ cwe: 'CWE-22' }))), [], 'no location: no locus key');
  const named = normaliseFinding(draft({ cwe: 'CWE-1', location: 'l', product: { name: 'Gateway', organisationId: 'org-1' } }));
  assert.deepEqual(dedupKeys(named), [{ kind: 'locus', value: 'name:org-1:gateway|CWE-1|l' }]);
});

it('decides duplicates against stored keys and earlier entries of the same upload, the strongest key first', () => {
  const a = normaliseFinding(draft({ tool: { name: 't' }, fingerprints: ['h=1'] }));
  const b = normaliseFinding(draft({ tool: { name: 't' }, fingerprints: ['h=1'], aliases: ['CVE-2026-9'] }));
  const c = normaliseFinding(draft({ aliases: ['CVE-2026-9'] }));
  const d = normaliseFinding(draft({ aliases: ['CVE-2026-5'], tool: { name: 't' }, fingerprints: ['h=7'] }));
  const stored = new Map([['alias|CVE-2026-5', '42'], ['fingerprint|t|h=7', '41']]);
  assert.deepEqual(decideDuplicates([a, b, c, d], stored), [
    { target: null, kind: null, matched: null },
    { target: 'new:0', kind: 'fingerprint', matched: 't|h=1' },
    // c shares only b's alias; b joined a, so c joins a too.
    { target: 'new:0', kind: 'alias', matched: 'CVE-2026-9' },
    // d holds a stored alias and a stored fingerprint: the fingerprint decides.
    { target: '41', kind: 'fingerprint', matched: 't|h=7' },
  ]);
});
