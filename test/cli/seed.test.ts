import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEMO_EMAIL_DOMAIN, DEMO_SOURCES, formatDemoSeed, InstanceNotEmptyError, seedDemo, type DemoSeedResult } from '../../src/services/demo-seed.service.ts';
import { loadPrincipal, systemPrincipal } from '../../src/services/principal.ts';
import { describeEachDriver, testContainer, type TestContainer } from '../helpers/db.ts';

const sys = systemPrincipal('cli');
const ROOT = new URL('../../', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/clearinghouse.mjs');

describeEachDriver('seed --demo', (driver) => {
  let c: TestContainer;
  let r: DemoSeedResult;
  before(async () => {
    c = await testContainer(driver, { sbomWorkers: false });
    // The bundled sources keep this fast; the shared archives are the bench's and the real command's default.
    r = await seedDemo(c, sys, { sbomDir: DEMO_SOURCES.bundledSbom, osvPaths: [DEMO_SOURCES.bundledOsv] });
  });
  after(() => c.destroy());

  const as = async (key: string) => {
    const user = await c.services.users.findByEmail(`${key}@${DEMO_EMAIL_DOMAIN}`);
    assert.ok(user, key);
    return { ...(await loadPrincipal(c.deps.db, user.id, 'token'))!, mustChangePassword: false };
  };

  it('creates the scenario: organisations of every kind asked for, a user with a one-time password each', () => {
    const kinds = r.organisations.map((o) => o.kind).sort();
    assert.deepEqual(kinds, ['ai-developer', 'ai-developer', 'government', 'infrastructure-operator', 'infrastructure-operator', 'infrastructure-operator', 'infrastructure-operator', 'vendor']);
    assert.deepEqual(r.organisations.flatMap((o) => o.sectors).sort(), ['energy', 'financial-services', 'healthcare-and-public-health', 'water-and-wastewater']);
    assert.equal(r.users.length, 8);
    for (const u of r.users) assert.ok(u.oneTimePassword.length >= 12, u.email);
    assert.equal(r.users.filter((u) => u.siteAdmin).length, 1);
    assert.equal(r.inventories.length, 4);
    assert.deepEqual(r.import, { added: 3, updated: 0, unchanged: 0, rejected: [], sources: [DEMO_SOURCES.bundledOsv] });
    assert.deepEqual(r.advisories.map((a) => a.state), ['draft', 'published']);
    const text = formatDemoSeed(r);
    for (const u of r.users) assert.ok(text.includes(u.email) && text.includes(u.oneTimePassword), `${u.email} and its password are printed`);
  });

  it('is explorable: operators see their inventories, the embargo holds for all but the owner, the coordinator and the partner', async () => {
    const embargoed = r.advisories.find((a) => a.embargoUntil)!;
    const draft = r.advisories.find((a) => a.state === 'draft')!;
    for (const key of ['energy', 'coordinator', 'vendor']) assert.equal((await c.services.advisories.get(await as(key), embargoed.id)).id, embargoed.id, `${key} reads the embargoed advisory`);
    for (const key of ['water', 'ai-lab-1']) await assert.rejects(c.services.advisories.get(await as(key), embargoed.id), /not found/i, `${key} does not`);
    await assert.rejects(c.services.advisories.get(await as('finance'), draft.id), /not found/i, 'a draft stays with its owner');
    const energyInv = await c.services.inventories.list(await as('energy'), { limit: 50 });
    assert.ok(energyInv.items.length >= 1, 'the energy operator has an inventory');
    const waterInv = await c.services.inventories.list(await as('water'), { limit: 50 });
    assert.ok(!waterInv.items.some((i) => energyInv.items.some((e) => e.id === i.id)), 'operators do not see each other\'s AMBER inventories');
    const mirrored = await c.services.advisories.list(await as('finance'), { limit: 10 });
    assert.ok(mirrored.items.some((a) => a.source === 'imported'), 'mirrored public advisories are readable by everyone');
  });

  it('refuses to run again: the instance is not empty', async () => {
    await assert.rejects(seedDemo(c, sys, { sbomDir: DEMO_SOURCES.bundledSbom, osvPaths: [DEMO_SOURCES.bundledOsv] }), (e: unknown) => e instanceof InstanceNotEmptyError && /not empty: it already has users/.test((e as Error).message));
  });
});

describe('clearinghouse seed (CLI)', () => {
  let dir: string;
  const env = { ...process.env, CLEARINGHOUSE_LOG_LEVEL: 'silent' };
  const seed = (args: string[]) => {
    const entry = `import { Command } from 'commander'; import { registerSeedCommand } from ${JSON.stringify(join(ROOT, 'src/cli/seed.command.ts'))};
const p = new Command('clearinghouse').exitOverride(); registerSeedCommand(p); await p.parseAsync(process.argv);`;
    return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', entry, 'clearinghouse', 'seed', ...args], { cwd: ROOT, env, encoding: 'utf8', timeout: 120_000 });
  };
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'seed-cli-'));
    assert.equal(spawnSync(process.execPath, [BIN, 'migrate', '--data', dir], { env, encoding: 'utf8' }).status, 0);
    const admin = spawnSync(process.execPath, [BIN, 'admin', 'create', '--email', 'someone@example.org', '--org', 'Real Org', '--password-stdin', '--data', dir], { env, input: 'a perfectly long passphrase 42\n', encoding: 'utf8' });
    assert.equal(admin.status, 0, admin.stderr);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 2 with a clear message on a non-empty instance, and without --demo', () => {
    const r = seed(['--demo', '--data', dir]);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /not empty: it already has users/);
    const bare = seed(['--data', dir]);
    assert.equal(bare.status, 2);
    assert.match(bare.stderr, /--demo/);
  });
});

describe('seed --demo after the first start', () => {
  it('counts an instance holding only the first-start administrator as empty, and refuses once anything else exists', async () => {
    const { bootstrapIfEmpty } = await import('../../src/services/bootstrap.service.ts');
    const c = await testContainer('sqlite', { sbomWorkers: false });
    try {
      await bootstrapIfEmpty(c, { adminEmail: c.config.adminEmail, organisationName: c.config.adminOrganisation });
      const r = await seedDemo(c, sys, { sbomDir: DEMO_SOURCES.bundledSbom, osvPaths: [DEMO_SOURCES.bundledOsv] });
      assert.equal(r.organisations.length, 8);
      await assert.rejects(seedDemo(c, sys, { sbomDir: DEMO_SOURCES.bundledSbom, osvPaths: [DEMO_SOURCES.bundledOsv] }), InstanceNotEmptyError);
    } finally {
      await c.destroy();
    }
  });
});
