import assert from 'node:assert/strict';
import { it } from 'node:test';
import { label, ORG, outcome, ROLE, type ActorName, type Outcome } from './policy-test-actors.ts';

const RED_A = { id: ORG.a, label: label(ORG.a, 'RED') };
const GREEN_B = { id: ORG.b, label: label(ORG.b, 'GREEN') };
const AMBER_B = { id: ORG.b, label: label(ORG.b, 'AMBER') };
const RESTRICTED_B = { id: ORG.b, label: label(ORG.b, 'CLEAR', { restricted: ROLE }) };

it('organisation rules, as a table', () => {
  const table: [ActorName, string, () => Outcome, Outcome][] = [
    // read: site admins see the directory, members their own, everyone else per label
    ['anonymous', 'read RED A', () => outcome('anonymous', 'organisation.read', RED_A), 'not-found'],
    ['anonymous', 'read GREEN B', () => outcome('anonymous', 'organisation.read', GREEN_B), 'not-found'],
    ['memberA', 'read GREEN B', () => outcome('memberA', 'organisation.read', GREEN_B), 'allow'],
    ['memberA', 'read RED A (own)', () => outcome('memberA', 'organisation.read', RED_A), 'allow'],
    ['memberB', 'read RED A', () => outcome('memberB', 'organisation.read', RED_A), 'not-found'],
    ['siteAdmin', 'read RED A', () => outcome('siteAdmin', 'organisation.read', RED_A), 'allow'],
    ['coordinator', 'read AMBER B', () => outcome('coordinator', 'organisation.read', AMBER_B), 'allow'],
    ['memberA', 'read AMBER B', () => outcome('memberA', 'organisation.read', AMBER_B), 'not-found'],
    ['memberA', 'read CLEAR B restricted', () => outcome('memberA', 'organisation.read', RESTRICTED_B), 'not-found'],
    ['reviewerA', 'read CLEAR B restricted', () => outcome('reviewerA', 'organisation.read', RESTRICTED_B), 'allow'],
    ['pendingA', 'read RED A', () => outcome('pendingA', 'organisation.read', RED_A), 'password-change-required'],
    // create: site admins only
    ['anonymous', 'create', () => outcome('anonymous', 'organisation.create', null), 'unauthenticated'],
    ['adminA', 'create', () => outcome('adminA', 'organisation.create', null), 'forbidden'],
    ['siteAdmin', 'create', () => outcome('siteAdmin', 'organisation.create', null), 'allow'],
    ['cli', 'create', () => outcome('cli', 'organisation.create', null), 'allow'],
    // update: the organisation's admins and site admins; visible-but-not-theirs is forbidden, hidden is not found
    ['adminA', 'update A', () => outcome('adminA', 'organisation.update', RED_A), 'allow'],
    ['memberA', 'update A', () => outcome('memberA', 'organisation.update', RED_A), 'forbidden'],
    ['adminB', 'update RED A', () => outcome('adminB', 'organisation.update', RED_A), 'not-found'],
    ['adminA', 'update GREEN B', () => outcome('adminA', 'organisation.update', GREEN_B), 'forbidden'],
    ['readTokenA', 'update A', () => outcome('readTokenA', 'organisation.update', RED_A), 'forbidden'],
    ['siteAdmin', 'update GREEN B', () => outcome('siteAdmin', 'organisation.update', GREEN_B), 'allow'],
    // updating is administration: a write-only token is refused even for the organisation's or the site's admins
    ['writeTokenAdminA', 'update A through a write token', () => outcome('writeTokenAdminA', 'organisation.update', RED_A), 'forbidden'],
    ['writeTokenSiteAdmin', 'update GREEN B through a write token', () => outcome('writeTokenSiteAdmin', 'organisation.update', GREEN_B), 'forbidden'],
    // rename: site admins only (a clash would reveal a hidden organisation's name)
    ['adminA', 'rename A', () => outcome('adminA', 'organisation.rename', RED_A), 'forbidden'],
    ['siteAdmin', 'rename A', () => outcome('siteAdmin', 'organisation.rename', RED_A), 'allow'],
    ['writeTokenSiteAdmin', 'rename A through a write token', () => outcome('writeTokenSiteAdmin', 'organisation.rename', RED_A), 'forbidden'],
    // labels: only a restriction one holds
    ['memberA', 'apply restricted label', () => outcome('memberA', 'label.apply', label(ORG.a, 'RED', { restricted: ROLE })), 'forbidden'],
    ['reviewerA', 'apply restricted label', () => outcome('reviewerA', 'label.apply', label(ORG.a, 'RED', { restricted: ROLE })), 'allow'],
    ['memberA', 'apply open label', () => outcome('memberA', 'label.apply', label(ORG.a, 'RED')), 'allow'],
    ['cli', 'apply restricted label', () => outcome('cli', 'label.apply', label(ORG.a, 'RED', { restricted: ROLE })), 'allow'],
  ];
  for (const [actor, what, run, want] of table) assert.equal(run(), want, `${actor}: ${what}`);
});
