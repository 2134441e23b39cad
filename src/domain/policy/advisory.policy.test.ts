import assert from 'node:assert/strict';
import { it } from 'node:test';
import { label, ORG, outcome, ROLE, type ActorName, type Outcome } from './policy-test-actors.ts';

type State = 'draft' | 'published' | 'withdrawn';
const adv = (state: State, tlp: Parameters<typeof label>[1], extra: Parameters<typeof label>[2] = {}) => ({ state, label: label(ORG.a, tlp, extra) });
const EMBARGOED = { embargoUntil: '2027-01-01T00:00:00.000Z' };
const SHARED_B = { sharedWith: [ORG.b] };

it('advisory rules, as a table', () => {
  const table: [ActorName, string, () => Outcome, Outcome][] = [
    ['anonymous', 'read published CLEAR', () => outcome('anonymous', 'advisory.read', adv('published', 'CLEAR')), 'allow'],
    ['anonymous', 'read withdrawn CLEAR', () => outcome('anonymous', 'advisory.read', adv('withdrawn', 'CLEAR')), 'allow'],
    ['anonymous', 'read draft CLEAR', () => outcome('anonymous', 'advisory.read', adv('draft', 'CLEAR')), 'not-found'],
    ['anonymous', 'read published GREEN', () => outcome('anonymous', 'advisory.read', adv('published', 'GREEN')), 'not-found'],
    ['anonymous', 'read published CLEAR under embargo', () => outcome('anonymous', 'advisory.read', adv('published', 'CLEAR', EMBARGOED)), 'not-found'],
    ['memberB', 'read published GREEN', () => outcome('memberB', 'advisory.read', adv('published', 'GREEN')), 'allow'],
    ['memberB', 'read draft CLEAR of A', () => outcome('memberB', 'advisory.read', adv('draft', 'CLEAR')), 'not-found'],
    ['memberB', 'read draft shared with B', () => outcome('memberB', 'advisory.read', adv('draft', 'AMBER', SHARED_B)), 'not-found'],
    ['coordinator', 'read draft AMBER of A', () => outcome('coordinator', 'advisory.read', adv('draft', 'AMBER')), 'not-found'],
    ['memberA', 'read own draft RED', () => outcome('memberA', 'advisory.read', adv('draft', 'RED')), 'allow'],
    ['memberB', 'read published AMBER', () => outcome('memberB', 'advisory.read', adv('published', 'AMBER')), 'not-found'],
    ['memberB', 'read published AMBER shared with B', () => outcome('memberB', 'advisory.read', adv('published', 'AMBER', SHARED_B)), 'allow'],
    ['memberB', 'read published RED shared with B', () => outcome('memberB', 'advisory.read', adv('published', 'RED', SHARED_B)), 'allow'],
    ['memberB', 'read embargoed GREEN', () => outcome('memberB', 'advisory.read', adv('published', 'GREEN', EMBARGOED)), 'not-found'],
    ['memberB', 'read embargoed GREEN shared with B', () => outcome('memberB', 'advisory.read', adv('published', 'GREEN', { ...EMBARGOED, ...SHARED_B })), 'allow'],
    ['adminB', 'read embargoed shared with B but restricted', () => outcome('adminB', 'advisory.read', adv('published', 'AMBER', { ...SHARED_B, restricted: ROLE })), 'not-found'],
    ['coordinator', 'read embargoed AMBER', () => outcome('coordinator', 'advisory.read', adv('published', 'AMBER', EMBARGOED)), 'allow'],
    ['coordinator', 'read published RED', () => outcome('coordinator', 'advisory.read', adv('published', 'RED')), 'not-found'],
    ['system', 'read draft RED', () => outcome('system', 'advisory.read', adv('draft', 'RED')), 'allow'],
    ['memberA', 'author for A', () => outcome('memberA', 'advisory.create', { owner: ORG.a }), 'allow'],
    ['memberB', 'author for A', () => outcome('memberB', 'advisory.create', { owner: ORG.a }), 'forbidden'],
    ['readTokenA', 'author for A with a read token', () => outcome('readTokenA', 'advisory.create', { owner: ORG.a }), 'forbidden'],
    ['writeTokenA', 'author for A with a write token', () => outcome('writeTokenA', 'advisory.create', { owner: ORG.a }), 'allow'],
    ['anonymous', 'author for A', () => outcome('anonymous', 'advisory.create', { owner: ORG.a }), 'unauthenticated'],
    ['pendingA', 'author before settling the password', () => outcome('pendingA', 'advisory.create', { owner: ORG.a }), 'password-change-required'],
    ['memberA', 'change own draft', () => outcome('memberA', 'advisory.write', adv('draft', 'GREEN')), 'allow'],
    ['memberB', 'change published GREEN of A', () => outcome('memberB', 'advisory.write', adv('published', 'GREEN')), 'forbidden'],
    ['memberB', 'change published AMBER shared with B', () => outcome('memberB', 'advisory.write', adv('published', 'AMBER', SHARED_B)), 'forbidden'],
    ['memberB', 'change draft of A (hidden)', () => outcome('memberB', 'advisory.write', adv('draft', 'GREEN')), 'not-found'],
    ['siteAdmin', 'change published CLEAR of A', () => outcome('siteAdmin', 'advisory.write', adv('published', 'CLEAR')), 'forbidden'],
    ['cli', 'change published CLEAR of A', () => outcome('cli', 'advisory.write', adv('published', 'CLEAR')), 'allow'],
    ['cli', 'read draft CLEAR of A', () => outcome('cli', 'advisory.read', adv('draft', 'CLEAR')), 'allow'],
    // The operator's CLI is bound by labels like everyone but the server's own work (as for inventories).
    ['cli', 'read published RED of A', () => outcome('cli', 'advisory.read', adv('published', 'RED')), 'not-found'],
    ['siteAdmin', 'import', () => outcome('siteAdmin', 'advisory.import', null), 'allow'],
    ['writeTokenSiteAdmin', 'import with a write token', () => outcome('writeTokenSiteAdmin', 'advisory.import', null), 'forbidden'],
    ['adminA', 'import', () => outcome('adminA', 'advisory.import', null), 'forbidden'],
    ['anonymous', 'import', () => outcome('anonymous', 'advisory.import', null), 'unauthenticated'],
    ['cli', 'import', () => outcome('cli', 'advisory.import', null), 'allow'],
  ];
  for (const [actor, what, run, want] of table) assert.equal(run(), want, `${actor}: ${what}`);
});
