import assert from 'node:assert/strict';
import { it } from 'node:test';
import { InvalidInputError } from '../errors.ts';
import { parseCidr } from './cidr.ts';
import { checkScopeCounts, cidrTarget, concernsOf, dedupeTargets, matchKey, purlTarget, reachesAsset, referenceTarget, sectorTarget, sharedTargets, type OrgHolding } from './scope.ts';

const WATER = 'org-water';
const holding: OrgHolding = {
  organisationId: WATER,
  organisationName: 'Water',
  sectors: ['water-and-wastewater'],
  inventories: [{ id: 'inv-scada', name: 'SCADA' }],
  assets: [
    { id: 'asset-plant', name: 'Treatment plant', inventoryId: 'inv-scada', ranges: [parseCidr('10.20.0.0/16')] },
    { id: 'asset-office', name: 'Office', inventoryId: null, ranges: [parseCidr('2001:db8:20::/48')] },
  ],
  packages: [{ ecosystem: 'npm', name: 'modbus-js', version: '1.2.3', inventoryId: 'inv-scada' }, { ecosystem: 'npm', name: 'modbus-js', version: '1.2.3', inventoryId: 'inv-hidden' }],
};

it('purl targets: canonical text, the key stored components carry, every version when none is named', () => {
  const any = purlTarget('pkg:npm/modbus-js', 'scope.purls[0]');
  assert.deepEqual([any.value, any.purl], ['pkg:npm/modbus-js', { ecosystem: 'npm', name: 'modbus-js', version: null }]);
  const py = purlTarget('pkg:pypi/Django_Rest@3.0', 'scope.purls[1]');
  assert.deepEqual(py.purl, { ecosystem: 'PyPI', name: 'django-rest', version: '3.0' });
  assert.equal(matchKey(py), 'purl:PyPI/django-rest');
  assert.throws(() => purlTarget('npm/modbus', 'scope.purls[2]'), (e: Error) => e instanceof InvalidInputError && e.details.field === 'scope.purls[2]' && /^scope\.purls\[2\]: /.test(e.message));
  assert.throws(() => purlTarget('pkg:generic/thing@1', 'scope.purls[0]'), /no OSV ecosystem/);
});

it('CIDR and sector targets name the item at fault', () => {
  assert.equal(cidrTarget('2001:DB8::/32', 'scope.cidrs[0]').value, '2001:db8::/32');
  assert.throws(() => cidrTarget('10.0.0.1/8', 'scope.cidrs[3]'), (e: Error) => e instanceof InvalidInputError && e.details.field === 'scope.cidrs[3]' && /"10\.0\.0\.1\/8" has host bits set/.test(e.message));
  assert.throws(() => sectorTarget('water', 'scope.sectors[0]'), /not a CISA sector/);
});

it('scope caps name the list, and an empty scope is refused', () => {
  assert.throws(() => checkScopeCounts({}), /at least one target/);
  assert.throws(() => checkScopeCounts({ cidrs: Array.from({ length: 257 }, (_, i) => `10.0.${i}.0/24`) }), (e: Error) => e instanceof InvalidInputError && e.details.field === 'scope.cidrs');
  checkScopeCounts({ sectors: ['energy'] });
  const t = sectorTarget('energy', 's');
  assert.equal(dedupeTargets([t, { ...t }]).length, 1);
});

it('concerns: each kind of target reaches the organisation only through what the reader may read', () => {
  const targets = [
    referenceTarget('organisation', WATER, WATER),
    referenceTarget('organisation', 'org-other', 'org-other'),
    sectorTarget('water-and-wastewater', 's'),
    sectorTarget('energy', 's'),
    referenceTarget('inventory', 'inv-scada', WATER),
    referenceTarget('inventory', 'inv-hidden', WATER),
    referenceTarget('asset', 'asset-office', WATER),
    referenceTarget('asset', 'asset-elsewhere', 'org-other'),
    cidrTarget('10.20.30.0/24', 'c'),
    cidrTarget('10.21.0.0/16', 'c'),
    cidrTarget('2001:db8::/32', 'c'),
    purlTarget('pkg:npm/modbus-js', 'p'),
    purlTarget('pkg:npm/modbus-js@1.2.3', 'p'),
    purlTarget('pkg:npm/modbus-js@9.9.9', 'p'),
  ];
  const got = concernsOf(targets, holding);
  assert.deepEqual(got.map((c) => [c.kind, c.value, c.assets.map((a) => a.id), c.inventories.map((i) => i.id)]), [
    ['organisation', WATER, [], []],
    ['sector', 'water-and-wastewater', [], []],
    ['inventory', 'inv-scada', [], ['inv-scada']],
    ['asset', 'asset-office', ['asset-office'], []],
    ['cidr', '10.20.30.0/24', ['asset-plant'], []],
    ['cidr', '2001:db8::/32', ['asset-office'], []],
    ['purl', 'pkg:npm/modbus-js', [], ['inv-scada']],
    ['purl', 'pkg:npm/modbus-js@1.2.3', [], ['inv-scada']],
  ]);
  assert.deepEqual(concernsOf([cidrTarget('10.21.0.0/16', 'c'), sectorTarget('energy', 's'), referenceTarget('inventory', 'inv-hidden', WATER)], holding), [], 'nothing of the organisation the reader may read');
});

it('reaches an asset: through itself, its inventory, its organisation, sector, packages or ranges', () => {
  const asset = { id: 'asset-plant', organisationId: WATER, inventoryId: 'inv-scada', ranges: [parseCidr('10.20.0.0/16')], sectors: ['water-and-wastewater'], packages: [{ ecosystem: 'npm', name: 'modbus-js', version: '1.2.3' }] };
  for (const t of [referenceTarget('asset', 'asset-plant', WATER), referenceTarget('inventory', 'inv-scada', WATER), referenceTarget('organisation', WATER, WATER), sectorTarget('water-and-wastewater', 's'), cidrTarget('10.0.0.0/8', 'c'), purlTarget('pkg:npm/modbus-js', 'p')]) {
    assert.ok(reachesAsset([t], asset), `${t.kind} ${t.value}`);
  }
  for (const t of [referenceTarget('asset', 'asset-office', WATER), referenceTarget('inventory', 'inv-other', WATER), referenceTarget('organisation', 'org-other', 'org-other'), sectorTarget('energy', 's'), cidrTarget('10.21.0.0/16', 'c'), purlTarget('pkg:npm/modbus-js@2.0.0', 'p')]) {
    assert.ok(!reachesAsset([t], asset), `${t.kind} ${t.value}`);
  }
});

it('shared targets: same organisation however named, same sector, same package, overlapping ranges', () => {
  const a = [referenceTarget('asset', 'asset-plant', WATER), sectorTarget('energy', 's'), purlTarget('pkg:npm/modbus-js', 'p'), cidrTarget('10.20.0.0/16', 'c')];
  const b = [referenceTarget('organisation', WATER, WATER), sectorTarget('energy', 's'), purlTarget('pkg:npm/modbus-js@1.2.3', 'p'), cidrTarget('10.20.5.0/24', 'c')];
  assert.deepEqual(sharedTargets(a, b), [
    { kind: 'organisation', organisationId: WATER },
    { kind: 'sector', sector: 'energy' },
    { kind: 'purl', a: 'pkg:npm/modbus-js', b: 'pkg:npm/modbus-js@1.2.3' },
    { kind: 'cidr', a: '10.20.0.0/16', b: '10.20.5.0/24' },
  ]);
  const c = [referenceTarget('organisation', 'org-other', 'org-other'), sectorTarget('water-and-wastewater', 's'), purlTarget('pkg:npm/modbus-js@2.0.0', 'p'), cidrTarget('10.21.0.0/16', 'c'), cidrTarget('2001:db8::/32', 'c')];
  assert.deepEqual(sharedTargets(b, c), [], 'different versions of a package, disjoint ranges and other sectors are different targets');
});
