import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { isRfc3339, isSafeId, OSV_CAPS, validateOsvRecord } from '../../src/formats/osv-schema.ts';
import { DEFAULT_ZIP_LIMITS, listZip, readZipEntry } from '../../src/formats/zip-reader.ts';

const SHARED = new URL('../../../shared/data/', import.meta.url);
const HAVE_SHARED = existsSync(SHARED);
if (!HAVE_SHARED) console.warn('\n!!! OSV schema suite over the shared advisories SKIPPED: ../shared/data absent\n');

const good = () => ({
  schema_version: '1.6.0',
  id: 'GHSA-aaaa-bbbb-cccc',
  modified: '2026-11-20T00:00:00Z',
  summary: 'x',
  affected: [{ package: { ecosystem: 'npm', name: 'lodash' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '4.17.21' }] }] }],
});
const errorsOf = (json: unknown, own?: string[]) => {
  const r = validateOsvRecord(json, own ? { ownIdPrefixes: own } : {});
  return r.ok ? [] : r.errors;
};

describe('OSV record validation', () => {
  it('accepts a valid record and our own id prefix, and refuses unknown prefixes', () => {
    assert.deepEqual(errorsOf(good()), []);
    assert.deepEqual(errorsOf({ ...good(), id: 'CHA-2026-0001' }, ['CHA']), []);
    assert.deepEqual(errorsOf({ ...good(), id: 'CHA-2026-0001' }).map((e) => e.path), ['/id']);
  });

  it('names the JSON path of each schema problem', () => {
    const bad = good();
    (bad.affected[0]!.ranges[0] as { type: string }).type = 'BOGUS';
    const errors = errorsOf({ ...bad, extra: 1 });
    assert.ok(errors.some((e) => e.path === '/affected/0/ranges/0/type' && /SEMVER/.test(e.message)), JSON.stringify(errors));
    assert.ok(errors.some((e) => e.path === '' && /unknown property "extra"/.test(e.message)) || errors.some((e) => /extra/.test(e.message)), JSON.stringify(errors));
    const missing = errorsOf({ id: 'GHSA-x' });
    assert.ok(missing.some((e) => /modified/.test(e.message)), JSON.stringify(missing));
  });

  it('answers hostile input with a clear error, quickly and without overflowing the stack', () => {
    for (const v of [[], 'x', null, 3, true]) assert.deepEqual(errorsOf(v), [{ path: '', message: 'an OSV record must be a JSON object' }]);
    const huge = errorsOf({ ...good(), details: 'x'.repeat(10 * 1024 * 1024) });
    assert.deepEqual(huge.map((e) => e.path), ['/details']);
    assert.match(huge[0]!.message, /longer than/);
    let deep: unknown = 1;
    for (let i = 0; i < 10_000; i++) deep = { a: deep };
    const nested = errorsOf({ ...good(), database_specific: deep });
    assert.equal(nested.length, 1);
    assert.match(nested[0]!.message, new RegExp(`more than ${OSV_CAPS.maxDepth} levels`));
    assert.ok(nested[0]!.path.startsWith('/database_specific/a/a'));
    const wide = errorsOf({ ...good(), aliases: new Array(OSV_CAPS.maxArray + 1).fill('CVE-1') });
    assert.match(wide[0]!.message, /array longer/);
    for (const id of ['../../etc/passwd', 'GHSA-a/b', 'GHSA-..', 'GHSA-a\\b', `GHSA-${'a'.repeat(200)}`]) {
      assert.ok(errorsOf({ ...good(), id }).some((e) => e.path === '/id'), id);
      assert.equal(isSafeId(id), false, id);
    }
    for (const d of ['yesterday', '2026-13-45T00:00:00Z', '2026-11-20', '2026-11-20T25:00:00Z']) {
      assert.ok(errorsOf({ ...good(), modified: d }).some((e) => e.path === '/modified'), d);
      assert.equal(isRfc3339(d), false, d);
    }
    assert.ok(errorsOf({ ...good(), severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:X' }] }).some((e) => e.path === '/severity/0/score' && e.message.includes('CVSS:3.1/AV:X')));
  });

  it('keeps its schema copy identical to the shared one', { skip: HAVE_SHARED ? false : '../shared/data absent' }, () => {
    assert.deepEqual(JSON.parse(readFileSync(new URL('../../src/formats/schemas/osv-schema.json', import.meta.url), 'utf8')), JSON.parse(readFileSync(new URL('osv-schema/validation/schema.json', SHARED), 'utf8')));
  });

  it('accepts the real advisories of every shared source, reporting what it refuses', { skip: HAVE_SHARED ? false : '../shared/data absent' }, () => {
    const zips = readdirSync(new URL('osv/', SHARED)).filter((f) => f.endsWith('.zip'));
    let total = 0;
    const refused: string[] = [];
    for (const z of zips) {
      const bytes = readFileSync(new URL(`osv/${z}`, SHARED));
      const entries = listZip(bytes, DEFAULT_ZIP_LIMITS).filter((e) => !e.directory && e.name.endsWith('.json'));
      // Every 7th record: all shapes of each source, at a tenth of the time.
      for (const e of entries.filter((_, i) => i % 7 === 0)) {
        total++;
        const json = JSON.parse(Buffer.from(readZipEntry(bytes, e, DEFAULT_ZIP_LIMITS, DEFAULT_ZIP_LIMITS.maxTotalBytes)).toString('utf8'));
        const errs = errorsOf(json);
        if (errs.length) refused.push(`${z}!${e.name}: ${errs[0]!.path} ${errs[0]!.message}`);
      }
    }
    console.log(`OSV schema over shared advisories: ${total} checked, ${refused.length} refused${refused.length ? `:\n  ${refused.slice(0, 10).join('\n  ')}` : ''}`);
    assert.ok(total > 3000);
    assert.ok(refused.length <= total / 100, `more than 1% of real advisories refused: ${refused.slice(0, 5).join('; ')}`);
  });
});
