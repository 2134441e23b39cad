import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { AdvisoryIndex } from '../../src/domain/matching/advisory-index.ts';
import { scanComponents } from '../../src/domain/matching/scan.ts';
import { loadAdvisories } from '../../src/formats/advisory-source.ts';
import { parseSbom } from '../../src/formats/sbom.ts';

const data = fileURLToPath(new URL('../../../shared/data/', import.meta.url));
const present = existsSync(join(data, 'osv')) && existsSync(join(data, 'sbom'));
const required = process.env.CLEARINGHOUSE_REQUIRE_SHARED === '1';
if (!present && !required) console.warn(`shared-data scan suite skipped: shared data absent at ${data}`);

describe('scanning the shared SBOMs against the shared OSV zips', { skip: present || required ? false : 'shared data absent at ' + data }, () => {
  const index = new AdvisoryIndex();
  let loadErrors = 0;
  before(async () => {
    for (const f of readdirSync(join(data, 'osv')).filter((f) => f.endsWith('.zip')).sort()) {
      const s = await loadAdvisories(join(data, 'osv', f), (r, src) => index.add(r, src));
      loadErrors += s.errors.length;
    }
  });
  const scan = (name: string) => {
    const sbom = parseSbom(readFileSync(join(data, 'sbom', name)), name);
    return { sbom, ...scanComponents(index, sbom.components) };
  };

  it('loads every advisory of every zip', () => {
    assert.equal(index.stats.advisories, 27060);
    assert.equal(index.stats.withdrawn, 68);
    assert.equal(loadErrors, 0);
  });

  it('postgres-stretch: the Go modules inside are affected (verified by hand in the advisory JSON)', () => {
    const { sbom, results } = scan('postgres-stretch.cdx.xml');
    assert.equal(sbom.components.length, 135);
    assert.deepEqual(sbom.unmatched.map((u) => u.ref), ['pkg:generic/postgresql@11.15?package-id=127784473033d1e8', 'debian']);
    const byAdv = new Map(results.map((r) => [`${r.name} ${r.advisory}`, r.fixed]));
    // GO-2022-0274: introduced 1.0.1-0.20211012131345-9c444070ec7b (a pre-release of 1.0.1), fixed 1.1.0.
    assert.equal(byAdv.get('github.com/opencontainers/runc GO-2022-0274'), '1.1.0');
    // GO-2024-2491 (CVE-2024-21626, "Leaky Vessels"): introduced 1.0.0-rc93, fixed 1.1.12.
    assert.equal(byAdv.get('github.com/opencontainers/runc GO-2024-2491'), '1.1.12');
    // GO-2022-0493: x/sys introduced 0, fixed at pseudo-version 0.0.0-20220412211240-33da011f77ad.
    assert.equal(byAdv.get('golang.org/x/sys GO-2022-0493'), '0.0.0-20220412211240-33da011f77ad');
    assert.equal(results.filter((r) => r.name === 'github.com/opencontainers/runc').length, 11);
    assert.equal(results.filter((r) => r.name === 'golang.org/x/sys').length, 2);
    assert.equal(results.length, 13, 'no Debian advisories are in the shared set, so the deb packages stay clean');
  });

  it('the Alpine images: nothing affected (no Alpine advisories in the set), bad purls explained, duplicates merged', () => {
    for (const [name, components, unmatched] of [
      ['alpine.cdx.xml', 14, 2],
      ['with-duplicates.cdx.xml', 14, 2],
      ['bad-purls.cdx.xml', 8, 8],
      ['alpine-zlib-16.cdx.json', 1, 0],
      ['only-unimportant.spdx.json', 1, 0],
    ] as const) {
      const { sbom, results } = scan(name);
      assert.equal(sbom.components.length, components, name);
      assert.equal(sbom.unmatched.length, unmatched, name);
      assert.equal(results.length, 0, name);
    }
    const bad = scan('bad-purls.cdx.xml').sbom.unmatched.map((u) => u.reason);
    assert.ok(bad.some((r) => /"name" is a required component/.test(r)));
    assert.ok(bad.some((r) => /"pkg" scheme/.test(r)));
  });
});
