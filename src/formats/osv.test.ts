import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DomainError } from '../domain/errors.ts';
import { parseOsvJson, parseOsvRecord } from './osv.ts';

describe('OSV record parsing', () => {
  it('keeps every well-formed part and names where each fault sits', () => {
    const { record, problems } = parseOsvRecord({
      id: 'X-1',
      aliases: ['CVE-1', 7],
      affected: [
        'nope',
        {
          package: { ecosystem: 'PyPI', name: 'a' },
          versions: ['1.0', null],
          severity: [{ type: 'CVSS_V3', score: 'S' }, { type: 1 }],
          ranges: [
            { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1', introduced: '2' }, { fixed: '' }, 5, { last_affected: '3' }, { fixed: '4' }] },
            { type: 'WHAT', events: [] },
            { type: 'GIT', events: [{ fixed: 'abc' }] },
            { type: 'SEMVER', events: 'x' },
          ],
        },
        { package: { ecosystem: '', name: 'b' }, ranges: {} },
      ],
    });
    assert.equal(record.id, 'X-1');
    assert.deepEqual(record.aliases, ['CVE-1']);
    assert.equal(record.affected.length, 2);
    const a = record.affected[0]!;
    assert.deepEqual(a.versions, ['1.0']);
    assert.deepEqual(a.severity, [{ type: 'CVSS_V3', score: 'S' }]);
    assert.deepEqual(a.ranges.map((r) => r.type), ['ECOSYSTEM', 'GIT', 'SEMVER']);
    assert.deepEqual(a.ranges[0]!.events, [{ introduced: '0' }, { last_affected: '3' }, { fixed: '4' }]);
    assert.equal(record.affected[1]!.package, undefined);
    assert.deepEqual(problems, [
      'modified is missing',
      'affected[0] is not an object',
      'affected[1].ranges[0].events[1] must have exactly one of introduced/fixed/last_affected/limit, has 2',
      'affected[1].ranges[0].events[2].fixed is not a non-empty string',
      'affected[1].ranges[0].events[3] is not an object',
      'affected[1].ranges[0] mixes fixed and last_affected events',
      'affected[1].ranges[1].type "WHAT" is not SEMVER, ECOSYSTEM or GIT',
      'affected[1].ranges[2] has no introduced event',
      'affected[1].ranges[2] is GIT but has no repo',
      'affected[1].ranges[3].events is not an array',
      'affected[1].ranges[3] has no introduced event',
      'affected[1].versions has a non-string entry',
      'affected[1].severity has an entry without string type and score',
      'affected[2].ranges is not an array',
      'affected[2].package needs string ecosystem and name',
      'aliases has a non-string entry',
    ]);
  });

  it('rejects what is not a record at all', () => {
    assert.throws(() => parseOsvRecord([]), (e: unknown) => e instanceof DomainError && e.code === 'invalid-advisory');
    assert.throws(() => parseOsvRecord({ id: ' ' }), /no string id/);
    assert.throws(() => parseOsvJson('{"id":', 'f.json'), /not valid JSON \(f\.json\)/);
  });
});
