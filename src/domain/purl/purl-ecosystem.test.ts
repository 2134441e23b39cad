import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseOsvRecord } from '../../formats/osv.ts';
import { AdvisoryIndex } from '../matching/advisory-index.ts';
import { componentFromPurl } from './purl-ecosystem.ts';

describe('Go standard library purls', () => {
  it('pkg:golang/stdlib@go1.21.0 is the Go ecosystem package stdlib at 1.21.0, and toolchain likewise', () => {
    const c = componentFromPurl('pkg:golang/stdlib@go1.21.0');
    assert.deepEqual([c.ecosystem, c.name, c.version], ['Go', 'stdlib', '1.21.0']);
    assert.equal(componentFromPurl('pkg:golang/toolchain@go1.22.3').version, '1.22.3');
    assert.equal(componentFromPurl('pkg:golang/stdlib@go1.20').version, '1.20.0');
    assert.equal(componentFromPurl('pkg:golang/stdlib@go1.22rc1').version, '1.22.0-rc.1');
    assert.equal(componentFromPurl('pkg:golang/stdlib@1.21.0').version, '1.21.0', 'already SemVer');
    assert.equal(componentFromPurl('pkg:golang/example.com/stdlib@go1.21.0').version, 'go1.21.0', 'only the standard library');
  });

  it('meets the Go vulnerability database stdlib ranges', () => {
    const idx = new AdvisoryIndex();
    idx.add(parseOsvRecord({ id: 'GO-2023-2185', modified: 'x', affected: [{ package: { ecosystem: 'Go', name: 'stdlib' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '1.21.0-0' }, { fixed: '1.21.4' }] }] }] }).record);
    const out = idx.match(componentFromPurl('pkg:golang/stdlib@go1.21.0'));
    assert.deepEqual(out.problems, []);
    assert.deepEqual(out.matches.map((m) => [m.advisory.id, m.fixed]), [['GO-2023-2185', '1.21.4']]);
  });
});
