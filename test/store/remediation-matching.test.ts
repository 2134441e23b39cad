/**
 * Matching that acts (issue 10), at the service level on both databases: the advisory job (reverse) and the SBOM job
 * (forward) record the same inventory findings; re-running changes nothing; revisions, withdrawals, share changes and
 * replaced SBOMs open, change, resolve and reopen rows, never duplicate them, and never touch an analysis.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { ManualClock } from '../../src/domain/clock.ts';
import type { Tlp } from '../../src/domain/policy/access-label.ts';
import { systemPrincipal } from '../../src/services/principal.ts';
import { describeEachDriver, testContainer, type TestContainer } from '../helpers/db.ts';

const START = '2026-12-06T12:00:00.000Z';

export function cdx(purls: readonly string[]): string {
  return JSON.stringify({
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    version: 1,
    components: purls.map((purl, i) => {
      const m = /^pkg:[^/]+\/(?:[^/]+\/)?([^@]+)@(.+)$/.exec(purl)!;
      return { type: 'library', 'bom-ref': `c${i}`, name: decodeURIComponent(m[1]!), version: m[2], purl };
    }),
  });
}

export function osv(id: string, pkg: { ecosystem: string; name: string }, events: Record<string, string>[], extra: Record<string, unknown> = {}) {
  return { id, summary: `${pkg.name} flaw`, affected: [{ package: pkg, ranges: [{ type: 'ECOSYSTEM', events }] }], ...extra };
}

describeEachDriver('remediation: inventory findings from matching', (driver) => {
  let c: TestContainer;
  const clock = new ManualClock(START);
  const sys = systemPrincipal('cli');
  const org = { vendor: '', op1: '', op2: '', gov: '' };

  before(async () => {
    c = await testContainer(driver, { clock, sbomWorkers: false });
    const s = c.services;
    org.vendor = (await s.organisations.create(sys, { name: 'Vendor', kind: 'vendor' })).id;
    org.op1 = (await s.organisations.create(sys, { name: 'Operator One', kind: 'infrastructure-operator', sectors: ['energy'] })).id;
    org.op2 = (await s.organisations.create(sys, { name: 'Operator Two', kind: 'infrastructure-operator', sectors: ['energy'] })).id;
    org.gov = (await s.organisations.create(sys, { name: 'CERT', kind: 'government' })).id;
  });
  after(() => c.destroy());

  const db = () => c.handle.db;
  const drain = async () => {
    let n = 0;
    while ((await c.outbox.runOnce()) > 0) n++;
    return n;
  };
  const rows = () =>
    db()
      .selectFrom('inventory_findings')
      .innerJoin('inventories', 'inventories.seq', 'inventory_findings.inventory_seq')
      .innerJoin('advisories', 'advisories.seq', 'inventory_findings.advisory_seq')
      .select(['inventories.name as inventory', 'advisories.id as advisory', 'inventory_findings.name', 'inventory_findings.version', 'inventory_findings.versions', 'inventory_findings.fixed', 'inventory_findings.severity', 'inventory_findings.resolved_at', 'inventory_findings.resolution', 'inventory_findings.first_seen', 'inventory_findings.organisation_id'])
      .orderBy('inventories.name')
      .orderBy('advisories.id')
      .execute();
  const inventory = (owner: string, name: string, purls: string[], tlp: Tlp = 'AMBER') =>
    c.services.inventories.create(sys, { name, organisationId: owner, body: cdx(purls), media: 'json', label: { tlp } });
  async function publish(record: object, label: { tlp?: Tlp; sharedWith?: string[]; embargoUntil?: string | null } = {}) {
    const a = await c.services.advisories.create(sys, { organisationId: org.vendor, record, label: { tlp: label.tlp ?? 'CLEAR', ...(label.sharedWith ? { sharedWith: label.sharedWith } : {}), ...(label.embargoUntil ? { embargoUntil: label.embargoUntil } : {}) } });
    return c.services.advisories.publish(sys, a.id, a.version);
  }

  it('a published advisory opens one row per affected (inventory, package); a second run changes nothing', async () => {
    await inventory(org.op1, 'op1-plant', ['pkg:npm/left-pad@1.0.0', 'pkg:npm/other@2.0.0']);
    await inventory(org.op2, 'op2-office', ['pkg:npm/left-pad@1.2.0', 'pkg:npm/left-pad@1.1.0']);
    await inventory(org.op2, 'op2-lab', ['pkg:npm/left-pad@2.0.0']);
    await drain();
    assert.equal((await rows()).length, 0, 'no advisory yet');
    const adv = await publish(osv('GHSA-aaaa-bbbb-cccc', { ecosystem: 'npm', name: 'left-pad' }, [{ introduced: '0' }, { fixed: '1.5.0' }], { severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }] }));
    await drain();
    const first = await rows();
    assert.deepEqual(first.map((r) => [r.inventory, r.name, r.version, JSON.parse(r.versions), r.fixed, r.severity, r.resolved_at]), [
      ['op1-plant', 'left-pad', '1.0.0', ['1.0.0'], '1.5.0', 'critical', null],
      ['op2-office', 'left-pad', '1.1.0', ['1.1.0', '1.2.0'], '1.5.0', 'critical', null],
    ]);
    const again = await c.services.remediation.matchAdvisory(adv.id);
    assert.deepEqual({ ...again, kept: 0 }, { opened: 0, reopened: 0, changed: 0, resolved: 0, kept: 0, notified: 0 });
    assert.deepEqual((await rows()).map((r) => [r.inventory, r.version, r.first_seen]), first.map((r) => [r.inventory, r.version, r.first_seen]));
    const events = await db().selectFrom('inventory_finding_events').select('kind').execute();
    assert.deepEqual(events.map((e) => e.kind), ['opened', 'opened']);
  });
});
