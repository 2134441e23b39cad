/**
 * Two matching faults found over the shared advisories (issue 7 section 1): a reported fix that is itself affected,
 * and adjacent intervals read as a gap. The Go records are trimmed copies of golang/vulndb (CC-BY-4.0) entries.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseOsvRecord } from '../../formats/osv.ts';
import { AdvisoryIndex } from './advisory-index.ts';
import { compileOrderedRange, orderedRangeIncludes, type OrderedRange } from './osv-range.ts';
import { versionSchemeFor } from '../versions/index.ts';

const indexOf = (records: object[]) => {
  const idx = new AdvisoryIndex();
  for (const r of records) idx.add(parseOsvRecord(r).record);
  return idx;
};
const fixFor = (idx: AdvisoryIndex, ecosystem: string, name: string, version: string) =>
  idx.match({ ecosystem, release: null, names: [name], version }).matches.map((m) => [m.advisory.id, m.fixed]);

describe('the reported fix really fixes', () => {
  it('GO-2025-3540: go-redis/v9@9.5.1 is not told 9.5.5, which the "introduced 0, fixed 9.6.3" entry still covers', () => {
    const pkg = { ecosystem: 'Go', name: 'github.com/redis/go-redis/v9' };
    const idx = indexOf([
      {
        id: 'GO-2025-3540',
        modified: '2025-04-01T00:00:00Z',
        affected: [
          { package: pkg, ranges: [{ type: 'SEMVER', events: [{ introduced: '9.5.1' }, { fixed: '9.5.5' }] }] },
          { package: pkg, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '9.6.3' }] }] },
          { package: pkg, ranges: [{ type: 'SEMVER', events: [{ introduced: '9.7.0-beta.1' }, { fixed: '9.7.3' }] }] },
        ],
      },
    ]);
    assert.deepEqual(fixFor(idx, 'Go', pkg.name, '9.5.1'), [['GO-2025-3540', '9.6.3']]);
    assert.deepEqual(fixFor(idx, 'Go', pkg.name, '9.7.1'), [['GO-2025-3540', '9.7.3']]);
    assert.deepEqual(fixFor(idx, 'Go', pkg.name, '9.6.3'), []);
  });

  it('GO-2025-3648: no fix is named when an "introduced 0" entry of the same package has none', () => {
    const pkg = { ecosystem: 'Go', name: 'github.com/rancher/steve' };
    const idx = indexOf([
      {
        id: 'GO-2025-3648',
        modified: '2025-05-01T00:00:00Z',
        affected: [
          { package: pkg, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }] },
          { package: pkg, ranges: [{ type: 'SEMVER', events: [{ introduced: '0.2.0' }, { fixed: '0.2.1' }, { introduced: '0.4.0' }, { fixed: '0.4.4' }] }] },
        ],
      },
    ]);
    assert.deepEqual(fixFor(idx, 'Go', pkg.name, '0.2.0'), [['GO-2025-3648', null]]);
    assert.deepEqual(fixFor(idx, 'Go', pkg.name, '0.4.1'), [['GO-2025-3648', null]]);
  });

  it('a fix inside another range of the same entry is skipped, and a fix listed in versions too', () => {
    const pkg = { ecosystem: 'PyPI', name: 'p' };
    const idx = indexOf([
      {
        id: 'X-1',
        modified: 'x',
        affected: [
          {
            package: pkg,
            ranges: [
              { type: 'ECOSYSTEM', events: [{ introduced: '1.0' }, { fixed: '1.1' }] },
              { type: 'ECOSYSTEM', events: [{ introduced: '1.1' }, { fixed: '1.2' }] },
              { type: 'ECOSYSTEM', events: [{ introduced: '1.0' }, { fixed: '1.3' }] },
            ],
            versions: ['1.3'],
          },
        ],
      },
    ]);
    // 1.1 and 1.2 are still inside [1.0, 1.3); 1.3 is listed as affected: nothing above 1.0 is named as fixed.
    assert.deepEqual(fixFor(idx, 'PyPI', 'p', '1.0'), [['X-1', null]]);
  });
});

describe('adjacent intervals are a union, not a gap', () => {
  const semver = versionSchemeFor('SemVer')!;
  const includes = (events: object[], v: string) =>
    orderedRangeIncludes(compileOrderedRange({ type: 'SEMVER', events } as never, semver).range as OrderedRange, semver.parse(v));
  const adjacent = [{ introduced: '0.34.0' }, { fixed: '0.34.1' }, { introduced: '0.34.1' }, { fixed: '0.34.2' }];

  it('introduced 0.34.0, fixed 0.34.1, introduced 0.34.1, fixed 0.34.2 affects 0.34.1', () => {
    for (const [v, want] of [['0.33.9', false], ['0.34.0', true], ['0.34.1', true], ['0.34.2', false]] as const) assert.equal(includes(adjacent, v), want, v);
  });

  it('the answer does not depend on the order the events are written in', () => {
    const reversed = [...adjacent].reverse();
    for (const v of ['0.34.0', '0.34.1', '0.34.2']) assert.equal(includes(reversed, v), includes(adjacent, v), v);
    assert.equal(includes([{ fixed: '1.0.0' }, { introduced: '1.0.0' }], '1.0.0'), false, 'introduced=fixed alone stays empty');
    assert.equal(includes([{ introduced: '0' }, { last_affected: '1.0.0' }, { introduced: '1.0.0' }, { fixed: '2.0.0' }], '1.5.0'), true);
  });

  it('a Bitnami-shaped record reports the adjacent version affected, with the fix that closes it', () => {
    const idx = indexOf([{ id: 'BIT-x', modified: 'x', affected: [{ package: { ecosystem: 'Bitnami', name: 'varnish' }, ranges: [{ type: 'SEMVER', events: adjacent }] }] }]);
    assert.deepEqual(fixFor(idx, 'Bitnami', 'varnish', '0.34.1'), [['BIT-x', '0.34.2']]);
    assert.deepEqual(fixFor(idx, 'Bitnami', 'varnish', '0.34.0'), [['BIT-x', '0.34.2']]);
  });
});
