/**
 * `npm run bench:advisories`: figures for docs and the README, printed, never asserted.
 * - import of the nine shared OSV zips (records/s) on SQLite and on PostgreSQL (own schema; skipped when unreachable);
 * - POST /v1/querybatch of 1,000 queries against the imported set over HTTP, P50 and P99;
 * - CSAF 2.0 documents generated and validated (strict schema + mandatory tests) per second.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { importPaths } from '../src/cli/advisories.command.ts';
import type { AdvisoryView } from '../src/services/advisory.service.ts';
import { systemPrincipal } from '../src/services/principal.ts';
import type { Driver } from '../src/store/db.ts';
import { startTestServer, type TestServer } from '../test/helpers/server.ts';

const OSV = join(import.meta.dirname, '../../shared/data/osv');
const sys = systemPrincipal('cli');

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function reachable(driver: Driver): Promise<boolean> {
  if (driver === 'sqlite') return true;
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: process.env.CLEARINGHOUSE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test', connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

async function benchImport(driver: Driver, zips: string[]): Promise<TestServer | null> {
  if (!(await reachable(driver))) {
    console.log(`import [${driver}]: not available (PostgreSQL not reachable)`);
    return null;
  }
  const server = await startTestServer({ driver, listen: true, sbomWorkers: false });
  const t0 = performance.now();
  const s = await importPaths(server.container, sys, zips);
  for (const r of s.rejected) console.log(`  rejected ${r.path}: ${r.reason.slice(0, 160)}`);
  const secs = (performance.now() - t0) / 1000;
  const n = s.added + s.updated + s.unchanged;
  console.log(`import [${driver}]: ${n} records (${s.added} added, ${s.rejected.length} rejected) from ${zips.length} zips in ${secs.toFixed(1)} s = ${Math.round(n / secs)} records/s`);
  const t1 = performance.now();
  const again = await importPaths(server.container, sys, zips);
  const secs2 = (performance.now() - t1) / 1000;
  console.log(`re-import [${driver}] (all unchanged: ${again.unchanged}): ${secs2.toFixed(1)} s = ${Math.round(again.unchanged / secs2)} records/s`);
  return server;
}

async function allViews(server: TestServer, max: number): Promise<AdvisoryView[]> {
  const out: AdvisoryView[] = [];
  let cursor: string | undefined;
  while (out.length < max) {
    const page = await server.container.services.advisories.list(sys, { limit: 100, ...(cursor ? { cursor } : {}) });
    out.push(...page.items);
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return out.slice(0, max);
}

async function benchQueryBatch(server: TestServer): Promise<void> {
  if (!server.app.hasRoute({ method: 'POST', url: '/v1/querybatch' })) {
    console.log('/v1/querybatch: not available');
    return;
  }
  const views = await allViews(server, 5000);
  const queries: unknown[] = [];
  for (const v of views) {
    for (const a of (v.record.affected ?? []) as { package?: { name?: string; ecosystem?: string }; versions?: string[] }[]) {
      const pkg = a.package;
      if (!pkg?.name || !pkg.ecosystem) continue;
      const version = a.versions?.[0];
      queries.push(version ? { package: { name: pkg.name, ecosystem: pkg.ecosystem }, version } : { package: { name: pkg.name, ecosystem: pkg.ecosystem } });
      break;
    }
    if (queries.length === 1000) break;
  }
  const body = JSON.stringify({ queries });
  const times: number[] = [];
  let hits = 0;
  // The first answer builds the matching index over the imported set (serve builds it at start): not timed.
  const warm = await fetch(`${server.url}/v1/querybatch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  await warm.arrayBuffer();
  for (let i = 0; i < 40; i++) {
    const t0 = performance.now();
    const res = await fetch(`${server.url}/v1/querybatch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const json = (await res.json()) as { results?: { vulns?: unknown[] }[] };
    times.push(performance.now() - t0);
    if (i === 0) {
      if (res.status !== 200) {
        console.log(`/v1/querybatch: answered ${res.status} ${JSON.stringify(json).slice(0, 200)}`);
        return;
      }
      hits = (json.results ?? []).filter((r) => (r.vulns ?? []).length > 0).length;
    }
  }
  times.sort((a, b) => a - b);
  console.log(`/v1/querybatch of ${queries.length} queries (${hits} with results) over HTTP, 40 runs: P50 ${pct(times, 50).toFixed(1)} ms, P99 ${pct(times, 99).toFixed(1)} ms`);
}

async function benchCsaf(server: TestServer): Promise<void> {
  let csaf: typeof import('../src/formats/csaf.ts');
  try {
    csaf = await import('../src/formats/csaf.ts');
  } catch {
    console.log('CSAF: not available');
    return;
  }
  // @ts-expect-error the validator library ships JavaScript without type declarations
  const { default: validateStrict } = await import('@secvisogram/csaf-validator-lib/validateStrict.js');
  // @ts-expect-error as above
  const mandatory = await import('@secvisogram/csaf-validator-lib/mandatoryTests.js');
  // @ts-expect-error as above
  const { csaf_2_0_strict } = await import('@secvisogram/csaf-validator-lib/schemaTests.js');
  const tests = [csaf_2_0_strict, ...Object.values(mandatory as Record<string, unknown>).filter((t) => typeof t === 'function')];
  const views = await allViews(server, 500);
  const now = new Date();
  let valid = 0;
  const t0 = performance.now();
  for (const v of views) {
    const doc = csaf.advisoryToCsaf(v as never, { publisher: { namespace: 'https://clearinghouse.example', category: 'vendor' }, now });
    if (((await validateStrict(tests, doc)) as { isValid: boolean }).isValid) valid++;
  }
  const secs = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  for (const v of views) csaf.advisoryToCsaf(v as never, { publisher: { namespace: 'https://clearinghouse.example', category: 'vendor' }, now });
  const gen = (performance.now() - t1) / 1000;
  console.log(`CSAF: ${views.length} documents generated and validated in ${secs.toFixed(2)} s = ${Math.round(views.length / secs)} docs/s (${valid} valid); generation alone ${Math.round(views.length / gen)} docs/s`);
}

async function main(): Promise<void> {
  if (!existsSync(OSV)) {
    console.warn('!!! bench:advisories SKIPPED: ../shared/data/osv absent');
    return;
  }
  const zips = readdirSync(OSV).filter((f) => f.endsWith('.zip')).sort().map((f) => join(OSV, f));
  const sqlite = await benchImport('sqlite', zips);
  if (sqlite) {
    try {
      await benchQueryBatch(sqlite);
      await benchCsaf(sqlite);
    } finally {
      await sqlite.close();
    }
  }
  const pg = await benchImport('postgres', zips);
  if (pg) await pg.close();
}

await main();
