import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  affectedRows,
  buildVector,
  CVSS_METRICS,
  draftFromRecord,
  draftProblems,
  emptyDraft,
  errorsAfterEdit,
  errorsByField,
  fieldForPointer,
  parseRecordText,
  parseVector,
  ratingOf,
  recordFromDraft,
  scoreVector,
  withVector,
} from './advisory-form.ts';
import type { OsvRecordJson } from './api-advisories.ts';

const RECORD: OsvRecordJson = {
  schema_version: '1.6.0',
  id: 'CHA-2026-0001',
  modified: '2026-11-20T00:00:00Z',
  aliases: ['CVE-2026-1234'],
  summary: 'Template injection',
  details: 'Long text',
  severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
  affected: [
    {
      package: { ecosystem: 'npm', name: 'lodash', purl: 'pkg:npm/lodash' },
      ranges: [
        { type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '4.17.21' }] },
        { type: 'GIT', repo: 'https://github.com/lodash/lodash', events: [{ introduced: 'abc' }, { fixed: 'def' }] },
      ],
      versions: ['4.17.19', '4.17.20'],
      database_specific: { source: 'kept' },
    },
  ],
  references: [{ type: 'FIX', url: 'https://example.org/fix' }],
  credits: [{ name: 'Finder' }],
  database_specific: { note: 'kept' },
};

describe('advisory form <-> OSV record', () => {
  it('round-trips a record through the form, keeping what the form does not show', () => {
    const draft = draftFromRecord(RECORD);
    assert.equal(draft.summary, 'Template injection');
    assert.equal(draft.aliases, 'CVE-2026-1234');
    assert.deepEqual(draft.affected[0], { ecosystem: 'npm', name: 'lodash', rangeType: 'SEMVER', introduced: '0', fixed: '4.17.21', lastAffected: '', versions: '4.17.19\n4.17.20' });
    assert.deepEqual(recordFromDraft(draft, RECORD), RECORD);
  });

  it('writes edited fields over the base and leaves empty ones out', () => {
    const draft = draftFromRecord(RECORD);
    draft.summary = '  New summary ';
    draft.details = '';
    draft.aliases = 'CVE-1, GHSA-x\nCVE-2';
    draft.affected[0]!.fixed = '';
    draft.affected[0]!.lastAffected = '4.17.20';
    draft.references.push({ type: 'WEB', url: '  ' });
    const out = recordFromDraft(draft, RECORD);
    assert.equal(out.summary, 'New summary');
    assert.equal('details' in out, false);
    assert.deepEqual(out.aliases, ['CVE-1', 'GHSA-x', 'CVE-2']);
    assert.deepEqual(out.affected?.[0]?.ranges?.[0]?.events, [{ introduced: '0' }, { last_affected: '4.17.20' }]);
    assert.equal(out.affected?.[0]?.ranges?.[1]?.type, 'GIT', 'the second range stays');
    assert.deepEqual(out.references, RECORD.references, 'an empty reference row is dropped');
    assert.deepEqual(RECORD.summary, 'Template injection', 'the base is not mutated');
  });

  it('builds a record from an empty form', () => {
    const draft = emptyDraft();
    draft.summary = 'x';
    draft.affected[0] = { ecosystem: 'PyPI', name: 'jinja2', rangeType: 'ECOSYSTEM', introduced: '0', fixed: '3.1.4', lastAffected: '', versions: '' };
    assert.deepEqual(recordFromDraft(draft, { id: 'NEW', modified: 'x' }), {
      id: 'NEW',
      modified: 'x',
      summary: 'x',
      affected: [{ package: { ecosystem: 'PyPI', name: 'jinja2' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.1.4' }] }] }],
    });
  });

  it('names the obvious problems by field before sending', () => {
    const draft = emptyDraft();
    draft.affected[0]!.introduced = '';
    draft.affected[0]!.fixed = '1';
    draft.affected[0]!.lastAffected = '1';
    draft.references = [{ type: 'WEB', url: 'javascript:alert(1)' }];
    assert.deepEqual(Object.keys(draftProblems(draft)).sort(), ['affected.0.ecosystem', 'affected.0.fixed', 'affected.0.introduced', 'affected.0.name', 'references.0.url', 'summary']);
  });

  it('parses the raw JSON view or says why not', () => {
    assert.equal(parseRecordText('{"id": "x"}').ok, true);
    const bad = parseRecordText('{"id": ');
    assert.ok(!bad.ok && /not valid JSON/.test(bad.message));
    const list = parseRecordText('[]');
    assert.ok(!list.ok && /one JSON object/.test(list.message));
    const huge = parseRecordText(`"${'a'.repeat(5 * 1024 * 1024 + 1)}"`);
    assert.ok(!huge.ok && /5 MiB/.test(huge.message));
  });
});

describe('server errors beside the fields', () => {
  it('maps JSON pointers into the record to form fields, the rest to the JSON view', () => {
    assert.equal(fieldForPointer('/summary'), 'summary');
    assert.equal(fieldForPointer('/record/summary'), 'summary');
    assert.equal(fieldForPointer('/affected/0/package/ecosystem'), 'affected.0.ecosystem');
    assert.equal(fieldForPointer('/affected/2/package/name'), 'affected.2.name');
    assert.equal(fieldForPointer('/affected/0/ranges/0/type'), 'affected.0.rangeType');
    assert.equal(fieldForPointer('/affected/0/ranges/0/events/1/fixed'), 'affected.0.fixed');
    assert.equal(fieldForPointer('/affected/0/ranges/0/events/2/last_affected'), 'affected.0.lastAffected');
    assert.equal(fieldForPointer('/affected/0/ranges/0/events/0'), 'affected.0.introduced');
    assert.equal(fieldForPointer('/affected/0/ranges/1/events/0'), 'json', 'the form shows only the first range');
    assert.equal(fieldForPointer('/severity/1/score'), 'severity.1.score');
    assert.equal(fieldForPointer('/references/0/url'), 'references.0.url');
    assert.equal(fieldForPointer('/credits/0/name'), 'json');
    assert.equal(fieldForPointer(''), 'json');
  });

  it('joins several errors of one field and prefixes JSON-view errors with their path', () => {
    assert.deepEqual(
      errorsByField([
        { path: '/summary', message: 'too long' },
        { path: '/summary', message: 'has control characters' },
        { path: '/credits/0', message: 'must be an object' },
      ]),
      { summary: 'too long; has control characters', json: '/credits/0: must be an object' },
    );
  });
});

describe('detail page rows', () => {
  it('lists each package with its ranges, version count and the fix to upgrade to (not a git commit)', () => {
    assert.deepEqual(affectedRows(RECORD), [
      {
        ecosystem: 'npm',
        name: 'lodash',
        ranges: [
          { type: 'SEMVER', introduced: ['0'], fixed: ['4.17.21'], lastAffected: [] },
          { type: 'GIT', introduced: ['abc'], fixed: ['def'], lastAffected: [] },
        ],
        versionCount: 2,
        fixedVersion: '4.17.21',
      },
    ]);
    assert.deepEqual(affectedRows({ id: 'x', modified: 'y' }), []);
  });
});

describe('CVSS calculator', () => {
  it('builds a vector only when every base metric is chosen', () => {
    const all = Object.fromEntries(CVSS_METRICS['3.1'].map((m) => [m.key, m.values[0]!.value]));
    assert.equal(buildVector('3.1', all), 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H');
    assert.equal(buildVector('3.1', { ...all, A: undefined as unknown as string }), null);
    assert.equal(buildVector('3.1', { ...all, A: 'X' }), null);
  });

  it('reads the base metrics of a vector of its own version', () => {
    const vector = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:A';
    const parsed = parseVector('4.0', vector);
    assert.equal(parsed?.VC, 'H');
    assert.equal('E' in (parsed ?? {}), false, 'threat metrics are not part of the calculator');
    assert.equal(buildVector('4.0', parsed ?? {}), 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N');
    assert.equal(parseVector('3.1', vector), null);
  });

  it('scores vectors with ae-cvss-calculator (FIRST reference values)', () => {
    assert.deepEqual(scoreVector('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'), { score: 9.8, rating: 'critical' });
    assert.deepEqual(scoreVector('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N'), { score: 9.3, rating: 'critical' });
    assert.deepEqual(scoreVector('CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:L'), { score: 5.6, rating: 'medium' });
    assert.equal(scoreVector('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N')?.rating, 'none');
    assert.equal(scoreVector('not a vector'), null);
    assert.equal(scoreVector('CVSS:3.1/garbage'), null);
  });

  it('rates scores in the CVSS bands', () => {
    assert.deepEqual([0, 0.1, 3.9, 4, 6.9, 7, 8.9, 9, 10].map(ratingOf), ['none', 'low', 'low', 'medium', 'medium', 'high', 'high', 'critical', 'critical']);
  });

  it('inserts a vector into the severity list, replacing the one of the same version', () => {
    const v3 = { type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' };
    const v4 = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N';
    assert.deepEqual(withVector([v3], '4.0', v4), [v3, { type: 'CVSS_V4', score: v4 }]);
    const lower = 'CVSS:3.1/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';
    assert.deepEqual(withVector([v3, { type: 'CVSS_V4', score: v4 }], '3.1', lower), [{ type: 'CVSS_V3', score: lower }, { type: 'CVSS_V4', score: v4 }]);
  });
});

describe('errors after an edit', () => {
  it('drops the messages of the fields the edit changed and keeps the rest', () => {
    const before = draftFromRecord(RECORD);
    const after = { ...before, summary: 'changed', affected: [{ ...before.affected[0]!, fixed: '5' }] };
    const errors = { summary: 'a', details: 'b', 'affected.0.fixed': 'c', 'affected.0.name': 'd', organisation: 'e', 'label.embargo': 'f' };
    assert.deepEqual(errorsAfterEdit(errors, before, after), { details: 'b', 'affected.0.name': 'd', organisation: 'e', 'label.embargo': 'f' });
  });
});
