import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { sql } from 'kysely';
import { systemPrincipal } from '../../src/services/principal.ts';
import { describeEachDriver, testContainer, TEST_DATABASE_URL, type TestContainer } from '../helpers/db.ts';

/**
 * `clearinghouse kev import FILE` (scripts rely on it): stdout is exactly `{ "entries", "findings", "advisories" }`
 * and the exit code 0; 2 with nothing on stdout and nothing written when the file cannot be read or is not a valid
 * catalogue. Run through bin/clearinghouse.mjs against a database a test container prepared (and seeded).
 */
const BIN = new URL('../../bin/clearinghouse.mjs', import.meta.url).pathname;
const FIXTURE = new URL('../fixtures/kev/kev-small.json', import.meta.url).pathname;
const SHARED = new URL('../../../shared/data/kev/known_exploited_vulnerabilities.json', import.meta.url).pathname;
const sharedSkip = existsSync(SHARED) || process.env.CLEARINGHOUSE_REQUIRE_SHARED === '1' ? false : `the real KEV catalogue is absent at ${SHARED} (CLEARINGHOUSE_REQUIRE_SHARED=1 makes this fail)`;
const sys = systemPrincipal('system');

describeEachDriver('clearinghouse kev import (CLI contract)', (driver) => {
  let c: TestContainer;
  let dir: string;
  const env: Record<string, string> = { CLEARINGHOUSE_LOG_LEVEL: 'silent' };
  const ids = { labFinding: '', redFinding: '', plainFinding: '', advisory: '', realFinding: '' };
  let realCve = '';

  function run(...args: string[]) {
    const r = spawnSync(process.execPath, [BIN, 'kev', 'import', ...args, '--data', c.config.dataDir], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }
  const count = async (table: 'kev_entries' | 'audit_log' | 'finding_triage_events') =>
    Number((await c.deps.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const finding = (id: string) => c.services.findings.get(sys, id);

  before(async () => {
    c = await testContainer(driver, { sbomWorkers: false });
    dir = mkdtempSync(join(tmpdir(), 'kev-cli-'));
    if (driver === 'postgres') {
      const schema = (await sql<{ s: string }>`select current_schema() as s`.execute(c.deps.db)).rows[0]!.s;
      env.DATABASE_URL = `${TEST_DATABASE_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    }
    const lab = (await c.services.organisations.create(sys, { name: 'Scanner Lab', kind: 'ai-developer' })).id;
    const other = (await c.services.organisations.create(sys, { name: 'Other Lab', kind: 'researcher' })).id;
    const vendor = (await c.services.organisations.create(sys, { name: 'Widget Vendor', kind: 'vendor' })).id;
    const make = async (organisationId: string, n: string, aliases: string[], tlp: 'AMBER' | 'RED' = 'AMBER') =>
      (await c.services.findings.create(sys, { organisationId, title: `KEV CLI ${n}`, description: n, product: { name: `Product ${n}` }, location: `${n}.ts:1`, aliases, label: { tlp } })).finding.id;
    ids.labFinding = await make(lab, 'log4j', ['CVE-2021-44228']);
    // The operator's CLI counts every marked finding, a RED one of another organisation included.
    ids.redFinding = await make(other, 'citrix', ['CVE-2023-4966'], 'RED');
    ids.plainFinding = await make(lab, 'plain', ['CVE-2020-0001']);
    const real = existsSync(SHARED) ? (JSON.parse(readFileSync(SHARED, 'utf8')) as { vulnerabilities: { cveID: string }[] }).vulnerabilities : [];
    realCve = real.at(-1)?.cveID ?? 'CVE-2002-0367';
    ids.realFinding = await make(lab, 'real', [realCve]);
    const adv = await c.services.advisories.create(sys, {
      organisationId: vendor,
      record: { schema_version: '1.6.0', summary: 'log4shell', details: 'x', aliases: ['CVE-2021-44228'], affected: [{ package: { ecosystem: 'npm', name: 'kev-cli-pkg' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.0.1' }] }] }] },
      label: { tlp: 'CLEAR' },
    });
    ids.advisory = (await c.services.advisories.publish(sys, adv.id, adv.version)).id;
    const bad = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { vulnerabilities: { dueDate: string }[] };
    bad.vulnerabilities[2]!.dueDate = 'next week';
    writeFileSync(join(dir, 'bad-schema.json'), JSON.stringify(bad));
    writeFileSync(join(dir, 'not-json.json'), '{"catalogVersion": "2025.08.25", ');
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await c?.destroy();
  });

  it('exits 2 with nothing on stdout and nothing written for a file it cannot read or that is not a valid catalogue', async () => {
    const audit = await count('audit_log');
    const missing = run(join(dir, 'nope.json'));
    assert.equal(missing.code, 2, missing.stderr);
    assert.equal(missing.stdout, '');
    assert.match(missing.stderr, /cannot read .*nope\.json/);
    const notJson = run(join(dir, 'not-json.json'));
    assert.equal(notJson.code, 2, notJson.stderr);
    assert.equal(notJson.stdout, '');
    assert.match(notJson.stderr, /not JSON/);
    const schema = run(join(dir, 'bad-schema.json'));
    assert.equal(schema.code, 2, schema.stderr);
    assert.equal(schema.stdout, '');
    assert.match(schema.stderr, /\/vulnerabilities\/2\/dueDate/);
    assert.deepEqual([await count('kev_entries'), await count('audit_log'), await count('finding_triage_events')], [0, audit, 0], 'nothing written');
    assert.equal((await finding(ids.labFinding)).exploitation, 'none');
  });

  it('prints exactly { entries, findings, advisories } and exits 0, marking findings and advisories with a KEV CVE', async () => {
    const r = run(FIXTURE);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, '{"entries":3,"findings":2,"advisories":1}\n');
    const log4j = await finding(ids.labFinding);
    assert.equal(log4j.exploitation, 'active');
    assert.deepEqual(log4j.kev, { dateAdded: '2021-12-10', dueDate: '2021-12-24' });
    assert.deepEqual((await finding(ids.redFinding)).kev, { dateAdded: '2023-10-18', dueDate: '2023-11-08' });
    assert.equal((await finding(ids.plainFinding)).exploitation, 'none');
    assert.deepEqual((await c.services.triage.advisoryKev(sys, ids.advisory)).kev.map((k) => [k.cve, k.dueDate]), [['CVE-2021-44228', '2021-12-24']]);
    const entry = await c.deps.db.selectFrom('audit_log').select(['action', 'via']).where('action', '=', 'kev.import').executeTakeFirstOrThrow();
    assert.equal(entry.via, 'cli');
    // Again: the same summary (the marks are counted whether or not they changed), no new history events.
    const events = await count('finding_triage_events');
    const again = run(FIXTURE);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, '{"entries":3,"findings":2,"advisories":1}\n');
    assert.equal(await count('finding_triage_events'), events);
  });

  it('imports the whole real catalogue (../shared/data/kev)', { skip: sharedSkip }, async () => {
    const raw = JSON.parse(readFileSync(SHARED, 'utf8')) as { vulnerabilities: { cveID: string; dueDate: string; dateAdded: string }[] };
    const r = run(SHARED);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Record<string, number>;
    assert.deepEqual(Object.keys(out), ['entries', 'findings', 'advisories']);
    assert.equal(out.entries, new Set(raw.vulnerabilities.map((v) => v.cveID)).size);
    assert.equal(await count('kev_entries'), out.entries);
    const want = raw.vulnerabilities.find((v) => v.cveID === realCve)!;
    assert.deepEqual((await finding(ids.realFinding)).kev, { dateAdded: want.dateAdded, dueDate: want.dueDate });
    assert.equal(out.findings, [ids.labFinding, ids.redFinding, ids.realFinding].length, 'log4j and Citrix Bleed are in the real catalogue too');
  });
});
