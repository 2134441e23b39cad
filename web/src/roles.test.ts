import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_ROLES, RESTRICTED_ROLE_PATTERN } from '../../src/domain/policy/access-label.ts';
import { BUILT_IN_ROLES, draftFromRoles, parseRoleList, ROLE_NAME_PATTERN, rolesFromDraft } from './roles.ts';

describe('role drafts', () => {
  it('uses the same role-name rule and built-in roles as the server', () => {
    assert.equal(ROLE_NAME_PATTERN, RESTRICTED_ROLE_PATTERN);
    assert.deepEqual([...BUILT_IN_ROLES], [...BASE_ROLES]);
  });

  it('round-trips built-in and restricted roles', () => {
    const roles = ['admin', 'designation-reviewer', 'member', 'triage'];
    const draft = draftFromRoles(roles);
    assert.deepEqual(draft, { admin: true, member: true, restricted: 'designation-reviewer, triage' });
    assert.deepEqual(rolesFromDraft(draft), { roles: ['admin', 'member', 'designation-reviewer', 'triage'] });
  });

  it('splits restricted roles on commas and spaces and drops duplicates and blanks', () => {
    assert.deepEqual(parseRoleList(' designation-reviewer,, triage  designation-reviewer ,'), ['designation-reviewer', 'triage']);
    assert.deepEqual(parseRoleList('   '), []);
  });

  it('does not duplicate a built-in role typed into the restricted field', () => {
    assert.deepEqual(rolesFromDraft({ admin: false, member: true, restricted: 'member, admin' }), { roles: ['member'] });
  });

  it('rejects role names the server would reject, naming them', () => {
    for (const bad of ['Designation', 'x', '9lives', 'needs_underscore', `a${'b'.repeat(63)}`]) {
      const result = rolesFromDraft({ admin: false, member: true, restricted: bad });
      assert.ok('problem' in result, bad);
      assert.match(result.problem, new RegExp(bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
      assert.equal(new RegExp(RESTRICTED_ROLE_PATTERN).test(bad), false, `server also rejects ${bad}`);
    }
    assert.deepEqual(rolesFromDraft({ admin: false, member: false, restricted: 'ab' }), { roles: ['ab'] });
  });

  it('requires at least one role', () => {
    assert.deepEqual(rolesFromDraft({ admin: false, member: false, restricted: ' , ' }), { problem: 'Choose at least one role.' });
  });
});
