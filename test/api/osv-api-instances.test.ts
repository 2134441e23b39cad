import assert from 'node:assert/strict';
import { it } from 'node:test';
import pg from 'pg';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config.ts';
import { createContainer, type Container } from '../../src/composition.ts';
import { buildApp } from '../../src/http/app.ts';
import { osvApiRoutes } from '../../src/http/osv-api.routes.ts';
import { OsvApiService } from '../../src/services/osv-api.service.ts';
import { systemPrincipal } from '../../src/services/principal.ts';
import { describePostgres, TEST_DATABASE_URL } from '../helpers/db.ts';

const SYS = systemPrincipal('system');

/** One server instance as `serve` runs it, with the OSV API wired where the composition root does not yet. */
async function instance(schema: string): Promise<{ container: Container; app: FastifyInstance; osv: OsvApiService }> {
  const config = loadConfig({ DATABASE_URL: TEST_DATABASE_URL, CLEARINGHOUSE_LOG_LEVEL: 'silent', CLEARINGHOUSE_RATE_LIMIT: '100000' }, { data: '/tmp/unused' });
  const container = await createContainer(config, { pgSchema: schema, sbomWorkers: false });
  const services = container.services as typeof container.services & { osvApi?: OsvApiService };
  if (!services.osvApi) services.osvApi = new OsvApiService(container.deps, services.advisories);
  const app = await buildApp(container, { logger: false });
  if (!app.hasRoute({ method: 'POST', url: '/v1/query' })) await app.register(osvApiRoutes, { services: services as never });
  await app.ready();
  await services.osvApi.start();
  return { container, app, osv: services.osvApi };
}

/** Polls `ask` until it returns true or `ms` pass; returns the time it took, or null. */
async function within(ms: number, ask: () => Promise<boolean>): Promise<number | null> {
  const t0 = performance.now();
  while (performance.now() - t0 <= ms) {
    if (await ask()) return performance.now() - t0;
    await new Promise((r) => setTimeout(r, 20));
  }
  return null;
}

// SQLite is one file behind one instance: only PostgreSQL has several instances to keep in step.
describePostgres('OSV API across two server instances on one database', () => {
  it('a publish, a revision and a withdrawal through instance A are answered by instance B within a second', async () => {
    const schema = `osv_${Math.random().toString(16).slice(2, 10)}`;
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    const a = await instance(schema);
    const b = await instance(schema);
    try {
      const org = await a.container.services.organisations.create(systemPrincipal('cli'), { name: 'Instance Org', kind: 'vendor' });
      const adv = a.container.services.advisories;
      const record = (fixed: string) => ({
        schema_version: '1.6.0', summary: 'two instances', details: 'By hand.',
        affected: [{ package: { ecosystem: 'npm', name: 'twin-pkg' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed }] }] }],
      });
      const ask = async (version: string) => {
        const res = await b.app.inject({ method: 'POST', url: '/v1/query', payload: { package: { name: 'twin-pkg', ecosystem: 'npm' }, version } });
        assert.equal(res.statusCode, 200, res.body);
        return ((res.json() as { vulns?: { id: string }[] }).vulns ?? []).map((v) => v.id);
      };

      let v = await adv.create(SYS, { organisationId: org.id, record: record('2.0.0'), label: { tlp: 'CLEAR' } });
      assert.deepEqual(await ask('1.0.0'), [], 'a draft is not answered');
      v = await adv.publish(SYS, v.id, v.version);
      const published = await within(1000, async () => (await ask('1.0.0')).includes(v.id));
      assert.ok(published !== null, 'B answers the publish within 1 s');

      v = await adv.update(SYS, v.id, v.version, { record: { ...record('0.5.0'), id: v.id } });
      const revised = await within(1000, async () => (await ask('1.0.0')).length === 0 && (await ask('0.1.0')).includes(v.id));
      assert.ok(revised !== null, 'B answers the revision within 1 s');

      v = await adv.withdraw(SYS, v.id, v.version);
      const withdrawn = await within(1000, async () => (await ask('0.1.0')).length === 0);
      assert.ok(withdrawn !== null, 'B stops matching the withdrawn advisory within 1 s');
      const byId = await b.app.inject({ method: 'GET', url: `/v1/vulns/${v.id}` });
      assert.equal(byId.statusCode, 200);
      assert.ok((byId.json() as { withdrawn?: string }).withdrawn);
      console.log(`osv-api instances: publish ${published!.toFixed(0)} ms, revision ${revised!.toFixed(0)} ms, withdrawal ${withdrawn!.toFixed(0)} ms`);
    } finally {
      for (const x of [a, b]) {
        await x.osv.close();
        await x.app.close();
        await x.container.close();
      }
      await admin.query(`drop schema ${schema} cascade`);
      await admin.end();
    }
  });
});
