import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { CaseRecord, ParticipantRole } from './case.policy.ts';
import { mayBringFinding, openerRole } from './case.policy.ts';
import { ACTORS, label, ORG, outcome, ROLE, type ActorName, type Outcome } from './policy-test-actors.ts';

const EMBARGOED = { embargoUntil: '2027-01-01T00:00:00.000Z' };

/** A case owned by `owner` whose participants (the label's sharedWith) are `parts`. */
function kase(owner: string, tlp: Parameters<typeof label>[1], parts: [string, ParticipantRole][], extra: Parameters<typeof label>[2] = {}): CaseRecord {
  const participants = new Map<string, ParticipantRole>(parts);
  return { label: label(owner, tlp, { ...extra, sharedWith: [...participants.keys()] }), participants };
}

// A coordinator's case with org A as vendor; a vendor-opened RED case with org B as reporter.
const govCase = (tlp: Parameters<typeof label>[1] = 'AMBER', extra = {}) => kase(ORG.gov, tlp, [[ORG.gov, 'coordinator'], [ORG.a, 'vendor']], { ...EMBARGOED, ...extra });
const redCase = () => kase(ORG.a, 'RED', [[ORG.a, 'vendor'], [ORG.b, 'reporter']], EMBARGOED);

it('case rules, as a table', () => {
  const table: [ActorName, string, () => Outcome, Outcome][] = [
    ['anonymous', 'list cases', () => outcome('anonymous', 'case.list', null), 'unauthenticated'],
    ['memberB', 'list cases', () => outcome('memberB', 'case.list', null), 'allow'],
    ['memberA', 'read a case it takes part in (embargoed AMBER)', () => outcome('memberA', 'case.read', govCase()), 'allow'],
    ['memberB', 'read an embargoed AMBER case it is not in', () => outcome('memberB', 'case.read', govCase()), 'not-found'],
    ['memberB', 'read an embargoed GREEN case it is not in', () => outcome('memberB', 'case.read', govCase('GREEN')), 'not-found'],
    ['coordinator', 'read another coordinator\'s AMBER case', () => outcome('coordinator', 'case.read', kase(ORG.ops, 'AMBER', [[ORG.ops, 'coordinator']], EMBARGOED)), 'allow'],
    ['coordinator', 'read a RED case it is not in', () => outcome('coordinator', 'case.read', redCase()), 'not-found'],
    ['memberB', 'read a RED case it reports in', () => outcome('memberB', 'case.read', redCase()), 'allow'],
    ['memberA', 'read a restricted case without the role', () => outcome('memberA', 'case.read', govCase('AMBER', { restricted: ROLE })), 'not-found'],
    ['reviewerA', 'read a restricted case with the role', () => outcome('reviewerA', 'case.read', govCase('AMBER', { restricted: ROLE })), 'allow'],
    ['siteAdmin', 'read a RED case (labels exempt nobody)', () => outcome('siteAdmin', 'case.read', redCase()), 'not-found'],
    ['system', 'read a RED case (the server\'s own work)', () => outcome('system', 'case.read', redCase()), 'allow'],
    ['coordinator', 'manage its own organisation\'s case', () => outcome('coordinator', 'case.manage', govCase()), 'allow'],
    ['memberA', 'manage a case it is vendor in', () => outcome('memberA', 'case.manage', govCase()), 'forbidden'],
    ['memberB', 'manage a case it cannot read', () => outcome('memberB', 'case.manage', govCase()), 'not-found'],
    ['memberA', 'manage its own vendor-opened case', () => outcome('memberA', 'case.manage', redCase()), 'allow'],
    ['readTokenA', 'manage its own case with a read token', () => outcome('readTokenA', 'case.manage', redCase()), 'forbidden'],
    ['coordinator', 'join a case it reads', () => outcome('coordinator', 'case.join', kase(ORG.a, 'AMBER', [[ORG.a, 'vendor']])), 'allow'],
    ['memberB', 'join a GREEN case it reads', () => outcome('memberB', 'case.join', kase(ORG.a, 'GREEN', [[ORG.a, 'vendor']])), 'forbidden'],
    ['memberA', 'set its own vendor status', () => outcome('memberA', 'case.status.write', { case: govCase(), vendor: ORG.a }), 'allow'],
    ['coordinator', 'set a vendor status on its case', () => outcome('coordinator', 'case.status.write', { case: govCase(), vendor: ORG.a }), 'allow'],
    ['memberB', 'set the vendor status of a case it reports in', () => outcome('memberB', 'case.status.write', { case: redCase(), vendor: ORG.a }), 'forbidden'],
    ['memberB', 'ask for an extension as reporter', () => outcome('memberB', 'case.extension.request', redCase()), 'allow'],
    ['coordinator', 'ask for an extension on a case it only reads', () => outcome('coordinator', 'case.extension.request', kase(ORG.a, 'AMBER', [[ORG.a, 'vendor']])), 'forbidden'],
    ['memberA', 'mark a case it reads seen', () => outcome('memberA', 'case.seen', govCase()), 'allow'],
    ['readTokenA', 'mark seen with a read token', () => outcome('readTokenA', 'case.seen', govCase()), 'forbidden'],
    ['memberA', 'open a case for its organisation', () => outcome('memberA', 'case.create', { owner: ORG.a, ownerKind: 'vendor', findings: [], declaredVendors: new Set<string>() }), 'allow'],
    ['memberB', 'open a case for another organisation', () => outcome('memberB', 'case.create', { owner: ORG.a, ownerKind: 'vendor', findings: [], declaredVendors: new Set<string>() }), 'forbidden'],
    ['memberB', 'open a case as a researcher with no standing', () => outcome('memberB', 'case.create', { owner: ORG.b, ownerKind: 'researcher', findings: [{ reporter: ORG.a, productOrganisation: null }], declaredVendors: new Set<string>() }), 'forbidden'],
    ['adminA', 'declare products of its organisation', () => outcome('adminA', 'case.products.write', { organisationId: ORG.a }), 'allow'],
    ['memberA', 'declare products as a plain member', () => outcome('memberA', 'case.products.write', { organisationId: ORG.a }), 'forbidden'],
    ['adminB', 'declare products of another organisation', () => outcome('adminB', 'case.products.write', { organisationId: ORG.a }), 'forbidden'],
    ['writeTokenAdminA', 'declare products with a write token (administration)', () => outcome('writeTokenAdminA', 'case.products.write', { organisationId: ORG.a }), 'forbidden'],
  ];
  for (const [actor, what, run, want] of table) assert.equal(run(), want, `${actor}: ${what}`);
});

it('the opener\'s role: government coordinates, the reporter reports, the maker or a declared vendor is vendor, nobody else opens', () => {
  const base = { owner: ORG.b, findings: [{ reporter: ORG.a, productOrganisation: null }], declaredVendors: new Set<string>() };
  assert.equal(openerRole({ ...base, ownerKind: 'government' }), 'coordinator');
  assert.equal(openerRole({ ...base, ownerKind: 'researcher', findings: [{ reporter: ORG.b, productOrganisation: null }] }), 'reporter');
  assert.equal(openerRole({ ...base, ownerKind: 'vendor' }), 'vendor');
  assert.equal(openerRole({ ...base, ownerKind: 'researcher', declaredVendors: new Set([ORG.b]) }), 'vendor', 'a maintainer that declared the product');
  assert.equal(openerRole({ ...base, ownerKind: 'researcher', findings: [{ reporter: ORG.a, productOrganisation: ORG.b }] }), 'vendor');
  assert.equal(openerRole({ ...base, ownerKind: 'researcher' }), null);
});

it('who brings a finding into a case: its reporter, coordinators below RED, anyone for CLEAR and GREEN, never a mere recipient of AMBER', () => {
  const f = (tlp: Parameters<typeof label>[1]) => ({ label: label(ORG.a, tlp, { sharedWith: [ORG.b] }) });
  assert.equal(mayBringFinding(ACTORS.memberA, f('RED')), true);
  assert.equal(mayBringFinding(ACTORS.coordinator, f('AMBER')), true);
  assert.equal(mayBringFinding(ACTORS.coordinator, f('RED')), false);
  assert.equal(mayBringFinding(ACTORS.memberB, f('AMBER')), false, 'shared with B through a case: not B\'s to pass on');
  assert.equal(mayBringFinding(ACTORS.memberB, f('GREEN')), true);
});
