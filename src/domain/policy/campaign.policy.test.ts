import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parseCidr } from '../campaigns/cidr.ts';
import { cidrTarget, purlTarget, referenceTarget, sectorTarget, type CampaignTarget, type OrgHolding } from '../campaigns/scope.ts';
import { DomainError } from '../errors.ts';
import { ANONYMOUS, type AccessLabel, type Membership, type OrganisationKind, type Principal, type Scope } from './access-label.ts';
import { authorize, type Action, type RecordOf } from './authorize.ts';
import { campaignAccess, optOutAudience, type CampaignRecord } from './campaign.policy.ts';

const NOW = new Date('2026-11-26T12:00:00.000Z');
const LAB = 'org-lab';
const WATER = 'org-water';
const ENERGY = 'org-energy';
const GOV = 'org-gov';
const ROLE = 'scada-reviewer';

function person(id: string, memberships: [string, OrganisationKind, string[]][], scopes: Scope[] = ['read', 'write', 'admin']): Principal {
  return {
    userId: id, email: `${id}@example.test`, siteAdmin: false, via: 'session', tokenId: null, sessionId: `s-${id}`, scopes: new Set(scopes), mustChangePassword: false,
    memberships: new Map<string, Membership>(memberships.map(([o, kind, roles]) => [o, { organisationId: o, kind, roles: new Set(roles) }])),
  };
}

const A = {
  anonymous: ANONYMOUS,
  system: { ...ANONYMOUS, via: 'system', siteAdmin: true, scopes: new Set<Scope>(['read', 'write', 'admin']) } as Principal,
  labMember: person('lab', [[LAB, 'ai-developer', ['member']]]),
  labReadToken: person('lab', [[LAB, 'ai-developer', ['member']]], ['read']),
  researcher: person('res', [['org-res', 'researcher', ['member']]]),
  vendor: person('ven', [['org-ven', 'vendor', ['member']]]),
  waterMember: person('wm', [[WATER, 'infrastructure-operator', ['member']]]),
  waterAdmin: person('wa', [[WATER, 'infrastructure-operator', ['admin']]]),
  waterReviewer: person('wr', [[WATER, 'infrastructure-operator', ['member', ROLE]]]),
  energyMember: person('em', [[ENERGY, 'infrastructure-operator', ['member']]]),
  coordinator: person('gov', [[GOV, 'government', ['member']]]),
  siteAdmin: { ...person('root', []), siteAdmin: true } as Principal,
};
type Actor = keyof typeof A;

const label = (tlp: AccessLabel['tlp'], extra: Partial<AccessLabel> = {}): AccessLabel => ({ owner: LAB, tlp, embargoUntil: null, restricted: null, ...extra });

/** What the water utility holds, as each of its readers may read it (the restricted asset only with the role). */
function waterHolding(withRestricted: boolean): OrgHolding {
  return {
    organisationId: WATER,
    organisationName: 'Water',
    sectors: ['water-and-wastewater'],
    inventories: [{ id: 'inv-water', name: 'Plant SBOM' }],
    assets: [
      { id: 'asset-plant', name: 'Plant', inventoryId: 'inv-water', ranges: [parseCidr('10.20.0.0/16')] },
      ...(withRestricted ? [{ id: 'asset-scada', name: 'SCADA', inventoryId: null, ranges: [parseCidr('10.30.0.0/16')] }] : []),
    ],
    packages: [{ ecosystem: 'npm', name: 'modbus-js', version: '1.2.3', inventoryId: 'inv-water' }],
  };
}
const energyHolding: OrgHolding = { organisationId: ENERGY, organisationName: 'Energy', sectors: ['energy'], inventories: [], assets: [], packages: [] };

function holdingsOf(actor: Actor): OrgHolding[] {
  const p = A[actor];
  const out: OrgHolding[] = [];
  if (p.memberships.has(WATER)) out.push(waterHolding(p.memberships.get(WATER)!.roles.has(ROLE)));
  if (p.memberships.has(ENERGY)) out.push(energyHolding);
  return out;
}

const T = {
  org: referenceTarget('organisation', WATER, WATER),
  sector: sectorTarget('water-and-wastewater', 's'),
  inventory: referenceTarget('inventory', 'inv-water', WATER),
  asset: referenceTarget('asset', 'asset-plant', WATER),
  restrictedAsset: referenceTarget('asset', 'asset-scada', WATER),
  cidr: cidrTarget('10.20.1.0/24', 'c'),
  restrictedCidr: cidrTarget('10.30.0.0/24', 'c'),
  purl: purlTarget('pkg:npm/modbus-js', 'p'),
  otherPurl: purlTarget('pkg:npm/modbus-js@2.0.0', 'p'),
  elsewhere: cidrTarget('192.0.2.0/24', 'c'),
};

const campaign = (l: AccessLabel, targets: CampaignTarget[]) => ({ label: l, targets });

type Outcome = 'full' | 'touched' | 'not-found' | 'forbidden' | 'unauthenticated' | 'allow';

function read(actor: Actor, c: { label: AccessLabel; targets: CampaignTarget[] }): Outcome {
  const record: CampaignRecord = { ...c, holdings: holdingsOf(actor) };
  const o = outcome(actor, 'campaign.read', record);
  if (o !== 'allow') return o;
  return campaignAccess(A[actor], record, NOW)!;
}

function outcome<X extends Action>(actor: Actor, action: X, record: RecordOf<X>): Outcome {
  try {
    authorize(A[actor], action, record, NOW);
    return 'allow';
  } catch (err) {
    if (err instanceof DomainError) return err.code as Outcome;
    throw err;
  }
}

it('campaign read rule, as a table: the label, and every kind of target touching an operator', () => {
  const RED = label('RED');
  const table: [Actor, string, () => Outcome, Outcome][] = [
    ['anonymous', 'CLEAR campaign', () => read('anonymous', campaign(label('CLEAR'), [T.elsewhere])), 'unauthenticated'],
    ['vendor', 'GREEN campaign', () => read('vendor', campaign(label('GREEN'), [T.elsewhere])), 'full'],
    ['vendor', 'AMBER campaign', () => read('vendor', campaign(label('AMBER'), [T.elsewhere])), 'not-found'],
    ['coordinator', 'AMBER campaign', () => read('coordinator', campaign(label('AMBER'), [T.elsewhere])), 'full'],
    ['coordinator', 'RED campaign', () => read('coordinator', campaign(RED, [T.org])), 'not-found'],
    ['labMember', 'own RED campaign', () => read('labMember', campaign(RED, [T.org])), 'full'],
    ['siteAdmin', 'RED campaign (no exception)', () => read('siteAdmin', campaign(RED, [T.elsewhere])), 'not-found'],
    ['system', 'RED restricted', () => read('system', campaign(label('RED', { restricted: ROLE }), [T.elsewhere])), 'full'],
    ['waterMember', 'RED naming the organisation', () => read('waterMember', campaign(RED, [T.org])), 'touched'],
    ['waterMember', 'RED naming its sector', () => read('waterMember', campaign(RED, [T.sector])), 'touched'],
    ['waterMember', 'RED naming its inventory', () => read('waterMember', campaign(RED, [T.inventory])), 'touched'],
    ['waterMember', 'RED naming its asset', () => read('waterMember', campaign(RED, [T.asset])), 'touched'],
    ['waterMember', 'RED with a range over its asset', () => read('waterMember', campaign(RED, [T.cidr, T.elsewhere])), 'touched'],
    ['waterMember', 'RED with a purl in its inventory', () => read('waterMember', campaign(RED, [T.purl])), 'touched'],
    ['waterMember', 'RED with another version of the purl', () => read('waterMember', campaign(RED, [T.otherPurl])), 'not-found'],
    ['waterMember', 'RED elsewhere', () => read('waterMember', campaign(RED, [T.elsewhere])), 'not-found'],
    ['waterMember', 'RED naming an asset it may not read', () => read('waterMember', campaign(RED, [T.restrictedAsset])), 'not-found'],
    ['waterMember', 'RED over a range of an asset it may not read', () => read('waterMember', campaign(RED, [T.restrictedCidr])), 'not-found'],
    ['waterReviewer', 'RED naming the restricted asset (holds the role)', () => read('waterReviewer', campaign(RED, [T.restrictedAsset])), 'touched'],
    ['waterReviewer', 'RED over the restricted asset\'s range', () => read('waterReviewer', campaign(RED, [T.restrictedCidr])), 'touched'],
    ['waterMember', 'AMBER under a running embargo, touching it', () => read('waterMember', campaign(label('AMBER', { embargoUntil: '2027-01-01T00:00:00.000Z' }), [T.org])), 'touched'],
    ['waterMember', 'restricted campaign touching it, without the role', () => read('waterMember', campaign(label('RED', { restricted: ROLE }), [T.org])), 'not-found'],
    ['waterReviewer', 'restricted campaign touching it, with the role', () => read('waterReviewer', campaign(label('RED', { restricted: ROLE }), [T.org])), 'touched'],
    ['waterMember', 'GREEN touching it: read in full', () => read('waterMember', campaign(label('GREEN'), [T.org, T.elsewhere])), 'full'],
    ['energyMember', 'RED touching water only', () => read('energyMember', campaign(RED, [T.org, T.sector, T.cidr, T.purl])), 'not-found'],
    ['coordinator', 'RED touching water', () => read('coordinator', campaign(RED, [T.org])), 'not-found'],
  ];
  for (const [actor, what, run, want] of table) assert.equal(run(), want, `${actor}: ${what}`);
});

it('campaign writes, creation, overlaps and assets, as a table', () => {
  const RED = campaign(label('RED'), [T.org]);
  const rec = (actor: Actor, c: { label: AccessLabel; targets: CampaignTarget[] }): CampaignRecord => ({ ...c, holdings: holdingsOf(actor) });
  const asset = (tlp: AccessLabel['tlp'], restricted: string | null = null) => ({ label: { owner: WATER, tlp, embargoUntil: null, restricted } });
  const table: [Actor, string, () => Outcome, Outcome][] = [
    ['labMember', 'register for its lab', () => outcome('labMember', 'campaign.create', { owner: LAB, ownerKind: 'ai-developer' }), 'allow'],
    ['researcher', 'register for its research organisation', () => outcome('researcher', 'campaign.create', { owner: 'org-res', ownerKind: 'researcher' }), 'allow'],
    ['vendor', 'register for a vendor', () => outcome('vendor', 'campaign.create', { owner: 'org-ven', ownerKind: 'vendor' }), 'forbidden'],
    ['waterAdmin', 'register for an operator', () => outcome('waterAdmin', 'campaign.create', { owner: WATER, ownerKind: 'infrastructure-operator' }), 'forbidden'],
    ['vendor', 'register for the lab', () => outcome('vendor', 'campaign.create', { owner: LAB, ownerKind: null }), 'forbidden'],
    ['labReadToken', 'register with a read token', () => outcome('labReadToken', 'campaign.create', { owner: LAB, ownerKind: 'ai-developer' }), 'forbidden'],
    ['anonymous', 'register', () => outcome('anonymous', 'campaign.create', { owner: LAB, ownerKind: 'ai-developer' }), 'unauthenticated'],
    ['system', 'register for the lab', () => outcome('system', 'campaign.create', { owner: LAB, ownerKind: 'ai-developer' }), 'allow'],
    ['system', 'register for a vendor', () => outcome('system', 'campaign.create', { owner: 'org-ven', ownerKind: 'vendor' }), 'forbidden'],
    ['labMember', 'edit its RED campaign', () => outcome('labMember', 'campaign.write', rec('labMember', RED)), 'allow'],
    ['waterAdmin', 'edit a campaign touching it', () => outcome('waterAdmin', 'campaign.write', rec('waterAdmin', RED)), 'forbidden'],
    ['energyMember', 'edit a hidden campaign', () => outcome('energyMember', 'campaign.write', rec('energyMember', RED)), 'not-found'],
    ['coordinator', 'overlaps', () => outcome('coordinator', 'campaign.overlaps', null), 'allow'],
    ['labMember', 'overlaps', () => outcome('labMember', 'campaign.overlaps', null), 'forbidden'],
    ['siteAdmin', 'overlaps', () => outcome('siteAdmin', 'campaign.overlaps', null), 'forbidden'],
    ['waterAdmin', 'declare an asset', () => outcome('waterAdmin', 'asset.create', { owner: WATER }), 'allow'],
    ['waterMember', 'declare an asset', () => outcome('waterMember', 'asset.create', { owner: WATER }), 'forbidden'],
    ['waterMember', 'read a RED asset', () => outcome('waterMember', 'asset.read', asset('RED')), 'allow'],
    ['labMember', 'read a RED asset of water', () => outcome('labMember', 'asset.read', asset('RED')), 'not-found'],
    ['labMember', 'read a GREEN asset of water', () => outcome('labMember', 'asset.read', asset('GREEN')), 'allow'],
    ['coordinator', 'read an AMBER asset', () => outcome('coordinator', 'asset.read', asset('AMBER')), 'allow'],
    ['waterAdmin', 'change a restricted asset without the role', () => outcome('waterAdmin', 'asset.write', asset('RED', ROLE)), 'not-found'],
    ['labMember', 'change a GREEN asset of water', () => outcome('labMember', 'asset.write', asset('GREEN')), 'forbidden'],
    ['waterAdmin', 'opt out its asset', () => outcome('waterAdmin', 'campaign.opt-out', asset('RED')), 'allow'],
    ['waterMember', 'opt out its asset', () => outcome('waterMember', 'campaign.opt-out', asset('RED')), 'forbidden'],
    ['energyMember', 'opt out water\'s RED asset', () => outcome('energyMember', 'campaign.opt-out', asset('RED')), 'not-found'],
  ];
  for (const [actor, what, run, want] of table) assert.equal(run(), want, `${actor}: ${what}`);
  assert.equal(optOutAudience(A.labMember, LAB), 'all');
  assert.equal(optOutAudience(A.waterAdmin, LAB), 'own');
  assert.equal(optOutAudience(A.coordinator, LAB), 'own');
});
