import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidVersionError } from '../errors.ts';
import type { VersionScheme } from '../versions/version-scheme.ts';
import { parseOsvRecord, type OsvEvent, type OsvRange } from '../../formats/osv.ts';
import { AdvisoryIndex, type MatchQuery } from './advisory-index.ts';
import { compileOrderedRange, orderedRangeIncludes, type OrderedRange } from './osv-range.ts';
import { normaliseRelease, parseEcosystem } from './ecosystem.ts';

// Dotted integers only: enough to exercise the schema's algorithm independently of any real ecosystem's rules.
const dotted: VersionScheme<number[]> = {
  id: 'dotted',
  parse(v) {
    if (!/^\d+(\.\d+)*$/.test(v)) throw new InvalidVersionError('Test', v, 'not dotted digits');
    return v.split('.').map(Number);
  },
  compare(a, b) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const d = (a[i] ?? 0) - (b[i] ?? 0);
      if (d) return d;
    }
    return 0;
  },
};

function range(events: OsvEvent[]): OrderedRange {
  const r: OsvRange = { type: 'ECOSYSTEM', events };
  return compileOrderedRange(r, dotted).range as OrderedRange;
}
const inRange = (events: OsvEvent[], v: string) => orderedRangeIncludes(range(events), dotted.parse(v));

describe('OSV range evaluation (schema pseudo-code)', () => {
  it('introduced "0" sorts before every version', () => {
    assert.equal(inRange([{ introduced: '0' }], '0'), true);
    assert.equal(inRange([{ introduced: '0' }], '0.0.1'), true);
    assert.equal(inRange([{ introduced: '0' }, { fixed: '1.0.2' }], '1.0.1'), true);
    assert.equal(inRange([{ introduced: '0' }, { fixed: '1.0.2' }], '1.0.2'), false);
  });

  it('fixed is exclusive, last_affected inclusive', () => {
    assert.equal(inRange([{ introduced: '0' }, { fixed: '2.1.214' }], '2.1.214'), false);
    assert.equal(inRange([{ introduced: '0' }, { last_affected: '2.1.214' }], '2.1.214'), true);
    assert.equal(inRange([{ introduced: '0' }, { last_affected: '2.1.214' }], '2.1.215'), false);
    assert.equal(inRange([{ introduced: '1.0' }, { fixed: '2.0' }], '0.9'), false);
    assert.equal(inRange([{ introduced: '1.0' }, { fixed: '2.0' }], '1.0'), true);
  });

  it('several introduced/fixed pairs in one range', () => {
    const ev = [{ introduced: '1.0.0' }, { fixed: '1.0.2' }, { introduced: '3.0.0' }, { fixed: '3.2.5' }];
    const expect: [string, boolean][] = [['0.9', false], ['1.0.0', true], ['1.0.2', false], ['2.5', false], ['3.0.0', true], ['3.2.4', true], ['3.2.5', false], ['9', false]];
    for (const [v, want] of expect) assert.equal(inRange(ev, v), want, v);
  });

  it('unsorted events evaluate as if sorted', () => {
    const sorted = [{ introduced: '1.0.0' }, { fixed: '1.0.2' }, { introduced: '3.0.0' }, { fixed: '3.2.5' }];
    const shuffled = [{ fixed: '3.2.5' }, { introduced: '3.0.0' }, { fixed: '1.0.2' }, { introduced: '1.0.0' }];
    for (const v of ['0.1', '1.0.0', '1.0.1', '1.0.2', '2', '3.0.0', '3.2.4', '3.2.5', '4']) {
      assert.equal(inRange(shuffled, v), inRange(sorted, v), v);
    }
  });

  it('limit bounds the range from above; "*" is infinity', () => {
    assert.equal(inRange([{ introduced: '1.0' }, { limit: '1.5' }], '1.4'), true);
    assert.equal(inRange([{ introduced: '1.0' }, { limit: '1.5' }], '1.5'), false);
    assert.equal(inRange([{ introduced: '1.0' }, { limit: '1.5' }, { limit: '2.5' }], '2.0'), true, 'below any limit');
    assert.equal(inRange([{ introduced: '1.0' }, { limit: '*' }], '99'), true);
  });

  it('equal boundaries: introduced=fixed is empty, introduced=last_affected is exactly that version', () => {
    assert.equal(inRange([{ introduced: '1.0' }, { fixed: '1.0' }], '1.0'), false);
    assert.equal(inRange([{ introduced: '1.0' }, { last_affected: '1.0' }], '1.0'), true);
    assert.equal(inRange([{ introduced: '1.0' }, { last_affected: '1.0' }], '1.0.1'), false);
  });

  it('an unparsable boundary is reported and widens the range instead of crashing', () => {
    const { range: r, problems } = compileOrderedRange({ type: 'ECOSYSTEM', events: [{ introduced: 'x' }, { fixed: 'y!' }] }, dotted);
    assert.equal(problems.length, 2);
    assert.match(problems[0]!, /treated as "0"/);
    assert.equal(orderedRangeIncludes(r as OrderedRange, [5]), true);
  });
});

function indexOf(records: unknown[]): AdvisoryIndex {
  const idx = new AdvisoryIndex((eco) => (eco.startsWith('Test') || eco.startsWith('Debian') ? dotted : undefined));
  for (const r of records) idx.add(parseOsvRecord(r).record);
  return idx;
}
const q = (over: Partial<MatchQuery>): MatchQuery => ({ ecosystem: 'Test', release: null, names: ['pkg'], version: '1.0', ...over });
const ids = (idx: AdvisoryIndex, query: MatchQuery) => idx.match(query).matches.map((m) => [m.advisory.id, m.fixed]);

describe('advisory index', () => {
  const pkg = { ecosystem: 'Test', name: 'pkg' };

  it('matches if ANY range or the versions list says so, and reports the lowest fixed above the installed version', () => {
    const idx = indexOf([
      {
        id: 'A-1',
        modified: '2024-01-01T00:00:00Z',
        affected: [
          {
            package: pkg,
            ranges: [
              { type: 'ECOSYSTEM', events: [{ introduced: '2.0' }, { fixed: '2.5' }] },
              { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.5' }] },
            ],
            versions: ['7.0'],
          },
        ],
      },
    ]);
    assert.deepEqual(ids(idx, q({ version: '1.2' })), [['A-1', '1.5']]);
    assert.deepEqual(ids(idx, q({ version: '2.2' })), [['A-1', '2.5']]);
    assert.deepEqual(ids(idx, q({ version: '1.7' })), []);
    assert.deepEqual(ids(idx, q({ version: '7.0' })), [['A-1', null]], 'listed version, no fix above');
    assert.deepEqual(ids(idx, q({ version: '7.0.0' })), [['A-1', null]], 'listed by ordering equality');
  });

  it('never matches withdrawn records', () => {
    const idx = indexOf([{ id: 'W-1', modified: 'x', withdrawn: '2024-01-01T00:00:00Z', affected: [{ package: pkg, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }] }] }]);
    assert.deepEqual(ids(idx, q({})), []);
    assert.equal(idx.stats.withdrawn, 1);
  });

  it('last_affected gives no fix version', () => {
    const idx = indexOf([{ id: 'L-1', modified: 'x', affected: [{ package: pkg, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { last_affected: '1.0' }] }] }] }]);
    assert.deepEqual(ids(idx, q({ version: '1.0' })), [['L-1', null]]);
    assert.deepEqual(ids(idx, q({ version: '1.0.1' })), []);
  });

  it('GIT ranges match by commit identity only', () => {
    const c = (n: string) => n.repeat(40);
    const idx = indexOf([
      {
        id: 'G-1',
        modified: 'x',
        affected: [{ package: { ecosystem: 'OSS-Fuzz', name: 'zstd' }, ranges: [{ type: 'GIT', repo: 'https://github.com/facebook/zstd.git', events: [{ introduced: c('a') }, { fixed: c('b') }] }], versions: ['v1.4.4'] }],
      },
    ]);
    const git = (commit: string | undefined, version = 'x') => ids(idx, { ecosystem: 'GIT', release: null, names: [], version, repo: 'github.com/facebook/zstd', ...(commit ? { commit } : {}) });
    assert.deepEqual(git(c('a')), [['G-1', c('b')]]);
    assert.deepEqual(git(c('b')), [], 'the fix commit is not affected');
    assert.deepEqual(git(c('c')), [], 'an unknown commit cannot be decided without the repository');
    assert.deepEqual(git(undefined, 'v1.4.4'), [['G-1', null]], 'tag listed in versions');
  });

  it('distro releases: Debian:12 ranges meet distro=bookworm, not Debian 11; no release matches every release', () => {
    const idx = indexOf([
      { id: 'D-12', modified: 'x', affected: [{ package: { ecosystem: 'Debian:12', name: 'pkg' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.0' }] }] }] },
      { id: 'D-11', modified: 'x', affected: [{ package: { ecosystem: 'Debian:11', name: 'pkg' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0' }] }] }] },
    ]);
    const deb = (release: string | null) => ids(idx, { ecosystem: 'Debian', release, names: ['pkg'], version: '1.0' }).map((x) => x[0]);
    assert.deepEqual(deb(normaliseRelease('Debian', 'bookworm')), ['D-12']);
    assert.deepEqual(deb(normaliseRelease('Debian', 'debian-11')), ['D-11']);
    assert.deepEqual(deb(null), ['D-12', 'D-11']);
  });

  it('merges affected entries of one advisory into one result', () => {
    const idx = indexOf([
      {
        id: 'M-1',
        modified: 'x',
        severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
        affected: [
          { package: pkg, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.3' }] }] },
          { package: pkg, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.2' }] }] },
        ],
      },
    ]);
    const m = idx.match(q({ version: '1.0' })).matches;
    assert.equal(m.length, 1);
    // 1.2 closes the second entry only: the first still covers it, so the first real fix is 1.3.
    assert.equal(m[0]!.fixed, '1.3');
    assert.deepEqual(m[0]!.severity, [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }]);
  });

  it('reports a component version the ordering cannot parse instead of guessing', () => {
    const idx = indexOf([{ id: 'P-1', modified: 'x', affected: [{ package: pkg, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }] }] }]);
    const out = idx.match(q({ version: '(devel)' }));
    assert.deepEqual(out.matches, []);
    assert.match(out.problems[0]!, /devel/);
  });

  it('malformed ranges and events are reported by the parser, the rest of the record survives', () => {
    const { record, problems } = parseOsvRecord({
      id: 'BAD-1',
      modified: 'x',
      affected: [{ package: pkg, ranges: [{ type: 'NOPE', events: [] }, { type: 'ECOSYSTEM', events: [{ introduced: '0', fixed: '1' }, { introduced: '0' }, 5] }] }],
    });
    assert.equal(record.affected[0]!.ranges.length, 1);
    assert.deepEqual(record.affected[0]!.ranges[0]!.events, [{ introduced: '0' }]);
    assert.equal(problems.length, 3);
  });
});

describe('ecosystem strings', () => {
  it('splits base and release, normalising the release', () => {
    assert.deepEqual(parseEcosystem('Ubuntu:22.04:LTS'), { base: 'Ubuntu', release: '22.04' });
    assert.deepEqual(parseEcosystem('Ubuntu:Pro:18.04:LTS'), { base: 'Ubuntu', release: '18.04' });
    assert.deepEqual(parseEcosystem('Alpine:v3.16'), { base: 'Alpine', release: '3.16' });
    assert.deepEqual(parseEcosystem('AlmaLinux:9'), { base: 'AlmaLinux', release: '9' });
    assert.deepEqual(parseEcosystem('Maven:https://maven.google.com'), { base: 'Maven', release: null });
    assert.equal(normaliseRelease('Alpine', 'alpine-3.16.2'), '3.16');
    assert.equal(normaliseRelease('Ubuntu', 'jammy'), '22.04');
    assert.equal(normaliseRelease('Debian', 'debian-12.4'), '12');
  });
});
