import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseOsvRecord } from '../../formats/osv.ts';
import { AdvisoryIndex } from './advisory-index.ts';
import { scanComponents, type ScanComponent } from './scan.ts';

function index(): AdvisoryIndex {
  const idx = new AdvisoryIndex();
  for (const [id, fixed] of [['GHSA-b', '1.5.0'], ['GHSA-a', '2.0.0']] as const) {
    idx.add(
      parseOsvRecord({
        id,
        modified: '2024-01-01T00:00:00Z',
        aliases: [`CVE-${id}`],
        affected: [{ package: { ecosystem: 'npm', name: 'left-pad' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed }] }] }],
      }).record,
    );
  }
  return idx;
}

const comp = (purl: string, bomRef?: string): ScanComponent => ({ purl, ecosystem: 'npm', name: 'left-pad', version: purl.split('@').pop()!, ...(bomRef ? { bomRef } : {}) });

describe('scanComponents', () => {
  it('reports every listed component, sorted by purl then advisory, also when purls repeat', () => {
    const out = scanComponents(index(), [comp('pkg:npm/left-pad@1.2.0', 'a'), comp('pkg:npm/left-pad@1.7.0'), comp('pkg:npm/left-pad@1.2.0', 'b'), comp('pkg:npm/left-pad@3.0.0')]);
    assert.deepEqual(
      out.results.map((r) => [r.purl, r.advisory, r.fixed, r.aliases]),
      [
        ['pkg:npm/left-pad@1.2.0', 'GHSA-a', '2.0.0', ['CVE-GHSA-a']],
        ['pkg:npm/left-pad@1.2.0', 'GHSA-a', '2.0.0', ['CVE-GHSA-a']],
        ['pkg:npm/left-pad@1.2.0', 'GHSA-b', '1.5.0', ['CVE-GHSA-b']],
        ['pkg:npm/left-pad@1.2.0', 'GHSA-b', '1.5.0', ['CVE-GHSA-b']],
        ['pkg:npm/left-pad@1.7.0', 'GHSA-a', '2.0.0', ['CVE-GHSA-a']],
      ],
    );
    assert.deepEqual(out.unmatched, []);
  });

  it('explains each unusable component by its own reference, also when the same bad purl repeats', () => {
    const out = scanComponents(index(), [comp('pkg:npm/left-pad@not.a.version', 'x'), comp('pkg:npm/left-pad@not.a.version', 'y'), comp('nonsense', 'z'), comp('nonsense', 'w')]);
    assert.deepEqual(out.results, []);
    assert.deepEqual(out.unmatched.map((u) => u.ref), ['x', 'y', 'z', 'w']);
    assert.equal(out.unmatched[0]!.reason, out.unmatched[1]!.reason);
    assert.match(out.unmatched[0]!.reason, /not\.a\.version/);
    assert.equal(out.unmatched[2]!.reason, out.unmatched[3]!.reason);
  });
});
