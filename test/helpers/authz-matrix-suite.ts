import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildWorld, type World } from './authz-fixtures.ts';
import { MATRIX, type MatrixEntry } from './authz-matrix.ts';
import './authz-matrix-advisories.ts';
import './authz-matrix-feed.ts';
import './authz-matrix-osv.ts';
import './authz-matrix-import.ts';
import './authz-matrix-csaf.ts';
import './authz-matrix-findings.ts';
import './authz-matrix-campaigns.ts';
import './authz-matrix-triage.ts';
import './authz-matrix-cases.ts';
import './authz-matrix-threads.ts';
import './authz-matrix-notifications.ts';
import './authz-matrix-inventory-findings.ts';
import './authz-matrix-dashboards.ts';
import { describePostgres } from './db.ts';
import type { Driver } from '../../src/store/db.ts';

/**
 * Every route x reader x label -> allowed or denied, from the table in test/helpers/authz-matrix.ts. The first test
 * reads the server's own route table, so a route without an entry fails here instead of escaping the matrix.
 *
 * One test file per database (test/api/authz-matrix.<driver>.test.ts) so that the test runner runs the two in
 * parallel: together they are the longest file of the suite, and CI's time is bounded by its longest file.
 */

function entryFor(w: World, method: string, url: string): MatrixEntry | undefined {
  // Fastify answers HEAD with the GET handler (exposeHeadRoutes), so the GET entry covers it.
  const m = method === 'HEAD' ? 'GET' : method;
  return MATRIX.find((e) => e.method === m && e.url === url) ?? MATRIX.find((e) => e.method === m && e.covers?.(url, w));
}

export function matrixSuite(driver: Driver): void {
  // describePostgres skips loudly (or fails under CLEARINGHOUSE_REQUIRE_PG=1) when no server is reachable.
  const declare = driver === 'postgres' ? describePostgres : (title: string, fn: () => void) => describe(`${title} [sqlite]`, fn);
  declare('authorisation matrix', () => {
    let w: World;
    before(async () => {
      w = await buildWorld(driver);
    });
    after(() => w?.close());

    it('every route in the server\'s route table has a matrix entry, and every entry a route', async () => {
      const routes = w.routes();
      for (const r of routes) assert.ok(w.server.app.hasRoute({ method: r.method as 'GET', url: r.url }), `the route table reader understood ${r.method} ${r.url}`);
      assert.ok(routes.length >= 30, `the route table holds the API (${routes.length} routes read)`);
      const missing = routes.filter((r) => !entryFor(w, r.method, r.url)).map((r) => `${r.method} ${r.url}`);
      assert.deepEqual(missing, [], 'routes without a matrix entry: add one to MATRIX in test/helpers/authz-matrix.ts');
      // Families (static files) may have no route in a build without them; every other entry names a real route.
      const stale = MATRIX.filter((e) => !e.covers && !routes.some((r) => r.method === e.method && r.url === e.url)).map((e) => `${e.method} ${e.url}`);
      assert.deepEqual(stale, [], 'matrix entries for routes that do not exist');
      const twice = MATRIX.map((e) => `${e.method} ${e.url}`).filter((k, i, all) => all.indexOf(k) !== i);
      assert.deepEqual(twice, [], 'one entry per route');
    });

    for (const entry of MATRIX) {
      it(`${entry.method} ${entry.url}: ${entry.rule}`, () => entry.check(w));
      for (const [part, check] of Object.entries(entry.also ?? {})) it(`${entry.method} ${entry.url}: ${part}`, () => check(w));
    }
  });
}
