/**
 * Authorisation matrix entry for `POST /api/v1/advisories/import` (issue 8): site administrators only (with a token
 * holding the admin scope), decided before the body is read. The probe record is one the import rejects, so nothing
 * is written; the "Public sources" organisation the import creates on first use is removed again, so the world is
 * left as found (it is a TLP:CLEAR organisation every reader would otherwise list).
 */
import assert from 'node:assert/strict';
import { PUBLIC_SOURCES_ORGANISATION } from '../../src/services/advisory.service.ts';
import type { World } from './authz-fixtures.ts';
import { MATRIX, type MatrixEntry } from './authz-matrix.ts';

const URL = '/api/v1/advisories/import';
const PROBE = { records: [{ id: 'matrix import probe', modified: 'not a date' }] };

async function advisoryCount(w: World): Promise<number> {
  const r = await w.server.container.deps.db.selectFrom('advisories').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

async function keepWorld(w: World, fn: () => Promise<void>): Promise<void> {
  const db = w.server.container.deps.db;
  const had = await db.selectFrom('organisations').select('id').where('name', '=', PUBLIC_SOURCES_ORGANISATION).executeTakeFirst();
  const before = await advisoryCount(w);
  try {
    await fn();
    assert.equal(await advisoryCount(w), before, 'a rejected record writes nothing');
  } finally {
    // Test cleanup only: there is no API to remove an organisation, and this one exists only because of the probe.
    if (!had) await db.deleteFrom('organisations').where('name', '=', PUBLIC_SOURCES_ORGANISATION).execute();
  }
}

export const IMPORT_MATRIX: MatrixEntry[] = [
  {
    method: 'POST', url: URL, rule: 'site administrators only (admin scope); anonymous 401, everyone else 403',
    check: (w) => keepWorld(w, async () => {
      for (const r of w.readers) {
        const res = await w.api.post(URL, r.caller, PROBE);
        const want = r.anonymous ? 401 : r.siteAdmin ? 200 : 403;
        assert.equal(res.status, want, `${r.name}: ${JSON.stringify(res.body)}`);
        if (want === 200) {
          assert.deepEqual([res.body.added, res.body.updated, res.body.unchanged], [0, 0, 0], r.name);
          assert.deepEqual(res.body.rejected.map((x: { path: string }) => x.path), ['body/records[0]'], r.name);
        }
      }
    }),
    also: {
      'non-administrators are refused before a large body is read (403/401, not 413)': (w) => keepWorld(w, async () => {
        const big = JSON.stringify({ records: [{ id: 'x', details: 'x'.repeat(12 * 1024 * 1024) }] });
        for (const r of w.readers.filter((x) => !x.siteAdmin)) {
          const res = await w.api.call('POST', URL, r.caller, big, { 'content-type': 'application/json' });
          assert.equal(res.status, r.anonymous ? 401 : 403, r.name);
        }
      }),
    },
  },
];

MATRIX.push(...IMPORT_MATRIX);
