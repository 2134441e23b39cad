import assert from 'node:assert/strict';
import { it } from 'node:test';
import { formatAdvisoryId, isAuthoredId, checkPrefix } from '../../src/domain/advisory/advisory-id.ts';
import { diffRecords } from '../../src/domain/advisory/record-diff.ts';

it('diffs two records field by field, as JSON pointers', () => {
  const a = { id: 'X', summary: 'old', aliases: ['CVE-1'], database_specific: { 'a/b~c': 1 }, affected: [{ ranges: [{ events: [{ fixed: '1.0' }] }] }] };
  const b = { id: 'X', summary: 'new', aliases: ['CVE-1', 'CVE-2'], database_specific: {}, affected: [{ ranges: [{ events: [{ fixed: '1.1' }] }] }], details: 'd' };
  assert.deepEqual(
    diffRecords(a, b).sort((x, y) => x.path.localeCompare(y.path)),
    [
      { path: '/affected/0/ranges/0/events/0/fixed', kind: 'changed', before: '1.0', after: '1.1' },
      { path: '/aliases/1', kind: 'added', after: 'CVE-2' },
      { path: '/database_specific/a~1b~0c', kind: 'removed', before: 1 },
      { path: '/details', kind: 'added', after: 'd' },
      { path: '/summary', kind: 'changed', before: 'old', after: 'new' },
    ],
  );
  assert.deepEqual(diffRecords(a, structuredClone(a)), []);
});

it('formats and recognises authored ids', () => {
  assert.equal(formatAdvisoryId('CHA', 2026, 1), 'CHA-2026-0001');
  assert.equal(formatAdvisoryId('CHA', 2026, 12345), 'CHA-2026-12345');
  assert.equal(isAuthoredId('CHA', 'CHA-2026-0001'), true);
  assert.equal(isAuthoredId('CHA', 'CHA-2026-1'), false);
  assert.equal(isAuthoredId('CHA', 'GHSA-2026-0001'), false);
  assert.throws(() => checkPrefix('cha'), /capital letters/);
  assert.throws(() => formatAdvisoryId('CHA', 2026, 0), /positive/);
});
