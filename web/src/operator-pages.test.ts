import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sbomContentType, type AffectedComponent } from './api.ts';
import { problemFieldErrors } from './components/common.component.tsx';
import { draftFromLabel, labelFromDraft, toLocalInput } from './components/label-fields.component.tsx';
import { groupAffected, osvInputProblem } from './pages/affected.page.tsx';
import { inventoryName } from './pages/inventories.page.tsx';
import { passwordFieldErrors } from './password-fields.ts';
import { passwordProblems } from './password-rules.ts';
import { ApiError } from './api.ts';

describe('label fields', () => {
  it('turns the form into the label the API takes, clearing empty embargo and role', () => {
    assert.deepEqual(labelFromDraft({ tlp: 'RED', embargo: '', restricted: '  ' }), { label: { tlp: 'RED', embargoUntil: null, restricted: null } });
    const typed = '2031-06-01T09:30';
    const result = labelFromDraft({ tlp: 'AMBER', embargo: typed, restricted: 'designation-reviewer' });
    assert.ok('label' in result);
    assert.equal(result.label.embargoUntil, new Date(typed).toISOString(), 'the local time typed, as an instant');
    assert.equal(result.label.restricted, 'designation-reviewer');
  });

  it('names the field of each problem', () => {
    assert.deepEqual(Object.keys((labelFromDraft({ tlp: 'GREEN', embargo: 'soon', restricted: 'Not A Role' }) as { errors: object }).errors).sort(), ['embargo', 'restricted']);
  });

  it('shows a stored embargo in the input as the same instant', () => {
    const iso = '2031-06-01T07:30:00.000Z';
    assert.equal(new Date(toLocalInput(iso)).toISOString(), iso);
    assert.equal(draftFromLabel({ owner: 'o', tlp: 'CLEAR', embargoUntil: null, restricted: null }).embargo, '');
  });
});

describe('SBOM uploads', () => {
  it('sends XML files as CycloneDX XML and everything else as JSON', () => {
    assert.equal(sbomContentType({ name: 'bom.xml', type: '' }), 'application/vnd.cyclonedx+xml');
    assert.equal(sbomContentType({ name: 'bom', type: 'text/xml' }), 'application/vnd.cyclonedx+xml');
    assert.equal(sbomContentType({ name: 'image.spdx.json', type: 'application/json' }), 'application/json');
  });

  it('names inventories after their files unless a name was typed', () => {
    assert.equal(inventoryName('', 'plant-a.cdx.json', 0, 1), 'plant-a');
    assert.equal(inventoryName('', 'scada.spdx.json', 0, 2), 'scada');
    assert.equal(inventoryName('', 'bom.xml', 0, 1), 'bom');
    assert.equal(inventoryName(' Plant ', 'x.json', 1, 3), 'Plant (2)');
    assert.equal(inventoryName('Plant', 'x.json', 0, 1), 'Plant');
  });
});

describe('the reverse-query page', () => {
  it('checks the paste before sending it', () => {
    assert.match(osvInputProblem('  ') ?? '', /Paste one OSV/);
    assert.match(osvInputProblem('{"id": ') ?? '', /not valid JSON/);
    assert.match(osvInputProblem('[{"id": "A"}]') ?? '', /JSON object/);
    assert.match(osvInputProblem('{"affected": []}') ?? '', /"id"/);
    assert.equal(osvInputProblem('{"id": "GHSA-1", "affected": []}'), null);
  });

  it('groups affected components by organisation, then inventory, keeping the server order', () => {
    const row = (org: string, inv: string, purl: string): AffectedComponent => ({
      organisationId: org,
      inventoryId: inv,
      inventoryName: `name-${inv}`,
      component: { purl, ecosystem: 'npm', name: 'x', version: '1' },
      fixed: null,
    });
    const groups = groupAffected([row('o1', 'i1', 'a'), row('o2', 'i3', 'b'), row('o1', 'i2', 'c'), row('o1', 'i1', 'd')]);
    assert.deepEqual(
      groups.map((g) => [g.organisationId, g.inventories.map((i) => [i.inventoryName, i.rows.map((r) => r.component.purl)])]),
      [
        ['o1', [['name-i1', ['a', 'd']], ['name-i2', ['c']]]],
        ['o2', [['name-i3', ['b']]]],
      ],
    );
  });
});

describe('field errors', () => {
  it('puts a problem\'s named field and its schema errors beside those fields', () => {
    const domain = new ApiError({ type: 'x/invalid-input', title: 'Invalid input', status: 400, detail: 'the current password is not correct', field: 'currentPassword' });
    assert.deepEqual(problemFieldErrors(domain), { currentPassword: 'the current password is not correct' });
    const schema = new ApiError({ type: 'x/invalid-input', title: 'Invalid input', status: 400, detail: 'bad', errors: [{ path: '/body/name', message: 'too short' }, { path: '/label/tlp', message: 'not a TLP' }] });
    assert.deepEqual(problemFieldErrors(schema), { name: 'too short', label: 'not a TLP' });
    assert.deepEqual(problemFieldErrors(new Error('x')), {});
  });

  it('sorts the shared password rules onto the new and confirmation fields', () => {
    const fields = passwordFieldErrors(passwordProblems('old password here', 'short', 'other'));
    assert.match(fields.next ?? '', /at least/);
    assert.match(fields.confirm ?? '', /do not match/);
    assert.equal(fields.current, undefined);
  });
});
