import assert from 'node:assert/strict';
import { it } from 'node:test';
import { validateOsvRecord } from '../../formats/osv-schema.ts';
import { draftAdvisoryRecord } from './advisory-draft.ts';

it('drafts affected packages and fixes from statements, credits from reporters, aliases from findings: a valid OSV record', () => {
  const r = draftAdvisoryRecord({
    caseId: 'case-1',
    title: 'Widget gateway RCE',
    summary: 'Remote code execution.',
    findings: [{ aliases: ['CVE-2026-0001', 'CHA-2026-0007'], purl: 'pkg:npm/%40acme/widget' }, { aliases: ['GHSA-aaaa-bbbb-cccc', 'CVE-2026-0001'], purl: 'pkg:pypi/gadget' }],
    statuses: [
      { vendor: 'Acme', status: 'fixed', statement: 'Fixed.', fixedVersions: [{ purl: 'pkg:npm/%40acme/widget', fixed: '2.1.0' }], mitigations: '' },
      { vendor: 'Gadgets', status: 'affected', statement: 'Working on it.', fixedVersions: [], mitigations: 'Disable the upload endpoint.' },
      { vendor: 'Bolt', status: 'not-affected', statement: '', fixedVersions: [], mitigations: '' },
      { vendor: 'Quiet', status: 'unknown', statement: '', fixedVersions: [], mitigations: '' },
    ],
    reporters: ['Scanner Lab'],
    coordinators: ['National CERT'],
    ownPrefix: 'CHA',
  });
  assert.deepEqual(r.aliases, ['CVE-2026-0001', 'GHSA-aaaa-bbbb-cccc'], 'our own ids are never aliases');
  assert.deepEqual(r.affected, [
    { package: { ecosystem: 'npm', name: '@acme/widget', purl: 'pkg:npm/%40acme/widget' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.1.0' }] }] },
    { package: { ecosystem: 'PyPI', name: 'gadget', purl: 'pkg:pypi/gadget' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }] },
  ]);
  assert.deepEqual(r.credits, [{ name: 'Scanner Lab', type: 'FINDER' }, { name: 'National CERT', type: 'COORDINATOR' }]);
  assert.match(r.details, /\*\*Acme\*\*: fixed\. Fixed\./);
  assert.match(r.details, /Mitigations: Disable the upload endpoint\./);
  assert.doesNotMatch(r.details, /Quiet/);
  assert.equal(r.database_specific.clearinghouse_case, 'case-1');
  const v = validateOsvRecord({ ...r, id: 'CHA-2026-0001', modified: '2026-12-02T12:00:00Z' }, { ownIdPrefixes: ['CHA'] });
  assert.ok(v.ok, JSON.stringify(!v.ok && v.errors));
});

it('lists packages OSV has no ecosystem for instead of inventing one', () => {
  const r = draftAdvisoryRecord({
    caseId: 'c', title: 't', summary: '', findings: [], reporters: [], coordinators: [], ownPrefix: 'CHA',
    statuses: [{ vendor: 'V', status: 'fixed', statement: '', fixedVersions: [{ purl: 'pkg:generic/firmware', fixed: '3.0' }], mitigations: '' }],
  });
  assert.equal(r.affected, undefined);
  assert.deepEqual(r.database_specific.clearinghouse_unmapped_packages, ['pkg:generic/firmware (fixed in 3.0)']);
});
