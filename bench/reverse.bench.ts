/**
 * Reverse-query benchmark: "which stored components does this advisory affect?" over BENCH_ORGS organisations x
 * BENCH_COMPONENTS_PER_ORG components (default 10k x 1k = 10M), on SQLite (a temporary file) and PostgreSQL (a
 * throw-away schema in the `test` database). Prints figures, asserts nothing.
 *
 *   node --max-old-space-size=4096 --import tsx bench/reverse.bench.ts
 *   BENCH_ORGS=200 BENCH_COMPONENTS_PER_ORG=200 node --import tsx bench/reverse.bench.ts     # smoke run
 *
 * Env: BENCH_ORGS, BENCH_COMPONENTS_PER_ORG, BENCH_PACKAGES (pool size, default 100k), BENCH_DRIVERS
 * (`sqlite,postgres`), BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), BENCH_REPEAT (timed
 * runs per advisory, default 5), BENCH_UPLOAD_COMPONENTS (size of the timed upload, default 50k),
 * BENCH_SQLITE_PRAGMAS (comma-separated pragmas for the querying connection), BENCH_KEEP=1 keeps the databases.
 *
 * The package pool mixes npm, PyPI, Maven and Debian (with source packages), with Zipf popularity (s = 1) so the
 * head packages are in nearly every organisation and the tail in a handful. Rows are bulk-loaded with the
 * migration's component indexes dropped and rebuilt afterwards (their definitions are read back from the database,
 * so the bench always measures the migration's own indexes). Queries go through AffectedService.affectedBy, the same
 * code the HTTP route runs.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { sql } from 'kysely';
import { systemClock } from '../src/domain/clock.ts';
import type { Membership, OrganisationKind, Principal } from '../src/domain/policy/access-label.ts';
import { AFFECTED_LIMITS, AffectedService } from '../src/services/affected.service.ts';
import { LocalEventBus } from '../src/store/event-bus.ts';
import { InventoryService, toStoredComponent } from '../src/services/inventory.service.ts';
import { migrateToLatest, openDatabase, type Driver } from '../src/store/db.ts';
import { seededRandom } from '../test/helpers/seeded-random.ts';

const ORGS = int('BENCH_ORGS', 10_000);
const PER_ORG = int('BENCH_COMPONENTS_PER_ORG', 1_000);
const PACKAGES = int('BENCH_PACKAGES', 100_000);
const REPEAT = int('BENCH_REPEAT', 5);
const DRIVERS = (process.env.BENCH_DRIVERS ?? 'sqlite,postgres').split(',').map((d) => d.trim()) as Driver[];
const PG_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const PG_SCHEMA = 'bench_reverse';
const KEEP = process.env.BENCH_KEEP === '1';
const COMPONENT_INDEXES = ['components_package', 'components_source', 'components_inventory'];

function int(name: string, def: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer (got ${JSON.stringify(raw)})`);
  return n;
}

// ---------------------------------------------------------------------------------------------- data generation


type Eco = 'npm' | 'PyPI' | 'Maven' | 'Debian';

interface Pkg {
  rank: number;
  eco: Eco;
  /** Canonical identity, as toStoredComponent stores it. */
  name: string;
  sourceName: string | null;
  release: string | null;
  purlPrefix: string;
  purlSuffix: string;
  /** Ascending in the ecosystem's order. */
  versions: string[];
}

function makeVersions(eco: Eco, n: number, r: () => number): string[] {
  const out: string[] = [];
  let major = Math.floor(r() * 4);
  let minor = Math.floor(r() * 10);
  let patch = 0;
  for (let i = 0; i < n; i++) {
    const step = r();
    if (step < 0.1) { major++; minor = 0; patch = 0; } else if (step < 0.4) { minor++; patch = 0; } else patch++;
    // Two-digit parts on purpose: 1.10 after 1.9 is where text comparison goes wrong.
    if (eco === 'Debian') out.push(`${major}.${minor}.${patch}-${1 + Math.floor(r() * 3)}`);
    else out.push(`${major}.${minor}.${patch}`);
  }
  return out;
}

function makePool(): Pkg[] {
  const r = seededRandom(42);
  const pool: Pkg[] = [];
  for (let rank = 1; rank <= PACKAGES; rank++) {
    const x = r();
    const eco: Eco = x < 0.4 ? 'npm' : x < 0.65 ? 'PyPI' : x < 0.85 ? 'Maven' : 'Debian';
    const versions = makeVersions(eco, 3 + Math.floor(r() * 20), r);
    let purl: string;
    if (eco === 'npm') purl = rank % 10 === 0 ? `pkg:npm/%40scope${rank % 97}/lib-${rank}@0.0.0` : `pkg:npm/lib-${rank}@0.0.0`;
    else if (eco === 'PyPI') purl = `pkg:pypi/py-lib-${rank}@0.0.0`;
    else if (eco === 'Maven') purl = `pkg:maven/org.example${rank % 211}/artifact-${rank}@0.0.0`;
    else purl = `pkg:deb/debian/lib${rank}@0.0.0?arch=amd64&distro=debian-12${rank % 2 === 0 ? `&source=src${rank}` : ''}`;
    const c = toStoredComponent({ purl, ecosystem: '', name: '', version: '' });
    const at = c.purl.indexOf('@0.0.0');
    pool.push({ rank, eco, name: c.name, sourceName: c.source_name, release: c.release, purlPrefix: c.purl.slice(0, at + 1), purlSuffix: c.purl.slice(at + 6), versions });
  }
  return pool;
}

interface Draws {
  inv: Int32Array; // 0-based organisation / inventory index
  pkg: Int32Array; // 0-based pool index
  ver: Int32Array; // index into pkg.versions
}

function makeDraws(pool: Pkg[]): Draws {
  const r = seededRandom(7);
  const cdf = new Float64Array(pool.length);
  let sum = 0;
  for (let i = 0; i < pool.length; i++) cdf[i] = sum += 1 / (i + 1);
  const total = ORGS * PER_ORG;
  const d: Draws = { inv: new Int32Array(total), pkg: new Int32Array(total), ver: new Int32Array(total) };
  const per = Math.min(PER_ORG, pool.length);
  let k = 0;
  for (let o = 0; o < ORGS; o++) {
    const chosen = new Set<number>();
    while (chosen.size < per) {
      const u = r() * sum;
      let lo = 0, hi = cdf.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cdf[mid]! < u) lo = mid + 1;
        else hi = mid;
      }
      chosen.add(lo);
    }
    for (const p of chosen) {
      const n = pool[p]!.versions.length;
      d.inv[k] = o;
      d.pkg[k] = p;
      // Skewed towards recent versions, as real estates are.
      d.ver[k] = n - 1 - Math.floor(n * r() * r());
      k++;
    }
  }
  return d;
}

interface Row {
  ecosystem: string;
  release: string | null;
  name: string;
  source_name: string | null;
  version: string;
  purl: string;
}

function row(pool: Pkg[], pkg: number, ver: number): Row {
  const p = pool[pkg]!;
  const version = p.versions[ver]!;
  return { ecosystem: p.eco, release: p.release, name: p.name, source_name: p.sourceName, version, purl: p.purlPrefix + version + p.purlSuffix };
}

/** Labels: 80% AMBER, 10% GREEN, 10% RED; organisation 0 is the government coordinator. */
function tlpOf(o: number): string {
  const m = o % 10;
  return m === 3 ? 'GREEN' : m === 7 ? 'RED' : 'AMBER';
}
const orgId = (o: number) => `00000000-0000-4000-8000-${o.toString(16).padStart(12, '0')}`;
const invId = (o: number) => `10000000-0000-4000-8000-${o.toString(16).padStart(12, '0')}`;
const NOW = '2026-11-26T12:00:00.000Z';

// ---------------------------------------------------------------------------------------------- advisories

interface BenchAdvisory {
  label: string;
  record: unknown;
}

function advisories(pool: Pkg[], draws: Draws): BenchAdvisory[] {
  // Popularity as generated, to label each advisory with how many organisations hold the package.
  const holders = new Int32Array(pool.length);
  for (let i = 0; i < draws.pkg.length; i++) holders[draws.pkg[i]!]!++;
  const out: BenchAdvisory[] = [];
  const osvName = (p: Pkg) => (p.eco === 'Maven' ? p.name : p.eco === 'Debian' ? (p.sourceName ?? p.name) : p.name);
  const one = (p: Pkg, id: string): BenchAdvisory => {
    const fixed = p.versions[Math.floor(p.versions.length / 2)]!;
    return {
      label: `${id} ${p.eco} rank ${p.rank} (${holders[p.rank - 1]} holders)`,
      record: {
        id,
        modified: NOW,
        affected: [{ package: { ecosystem: p.eco === 'Debian' ? 'Debian:12' : p.eco, name: osvName(p) }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }] }],
      },
    };
  };
  const ranks = [1, 2, 3, 5, 8, 13, 30, 100, 300, 1_000, 3_000, 10_000, 30_000, 60_000, 99_000];
  for (const rank of ranks) if (rank <= pool.length) out.push(one(pool[rank - 1]!, `BENCH-R${rank}`));
  // The most popular package of each ecosystem (Debian: one listed by its source package).
  for (const eco of ['npm', 'PyPI', 'Maven', 'Debian'] as Eco[]) {
    const p = pool.find((x) => x.eco === eco && (eco !== 'Debian' || x.sourceName !== null));
    if (p) out.push(one(p, `BENCH-TOP-${eco}`));
  }
  // Many packages in one advisory (as a framework's advisory naming all its modules does).
  const multi = pool.slice(0, 40).filter((p) => p.eco === 'Maven').slice(0, 5);
  out.push({
    label: `BENCH-MULTI ${multi.length} Maven packages ranks ${multi.map((p) => p.rank).join(',')}`,
    record: { id: 'BENCH-MULTI', modified: NOW, affected: multi.map((p) => (one(p, 'x').record as { affected: unknown[] }).affected[0]) },
  });
  out.push({ label: 'BENCH-ABSENT a package nobody holds', record: { id: 'BENCH-ABSENT', modified: NOW, affected: [{ package: { ecosystem: 'npm', name: 'not-in-any-inventory' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }] }] } });
  return out;
}

// ---------------------------------------------------------------------------------------------- loading

interface LoadFigures {
  loadSeconds: number;
  indexSeconds: number;
  rowsPerSecond: number;
  sizeBytes: number;
  sizeDetail: string;
}

async function loadSqlite(file: string, pool: Pkg[], draws: Draws): Promise<LoadFigures> {
  const h = openDatabase({ dataDir: file });
  await migrateToLatest(h.db);
  await h.close();
  const db = new BetterSqlite3(join(file, 'clearinghouse.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  db.pragma('foreign_keys = OFF');
  db.pragma('cache_size = -1000000');
  const indexSql = db.prepare(`select sql from sqlite_master where type = 'index' and name in (${COMPONENT_INDEXES.map(() => '?').join(',')})`).all(...COMPONENT_INDEXES) as { sql: string }[];
  for (const name of COMPONENT_INDEXES) db.exec(`drop index ${name}`);
  const t0 = performance.now();
  const org = db.prepare(`insert into organisations (id, name, kind, sectors, owner_org_id, tlp, embargo_until, restricted_role, version, created_at, updated_at) values (?, ?, ?, ?, ?, 'RED', null, null, 1, ?, ?)`);
  const inv = db.prepare(`insert into inventories (seq, id, name, format, component_count, unmatched_count, unmatched, sbom_sha256, owner_org_id, tlp, embargo_until, restricted_role, version, created_at, updated_at) values (?, ?, ?, 'cyclonedx-json', ?, 0, '[]', ?, ?, ?, null, null, 1, ?, ?)`);
  db.transaction(() => {
    for (let o = 0; o < ORGS; o++) {
      const kind: OrganisationKind = o === 0 ? 'government' : 'infrastructure-operator';
      org.run(orgId(o), `Org ${o}`, kind, o === 0 ? '[]' : '["energy"]', orgId(o), NOW, NOW);
      inv.run(o + 1, invId(o), `estate ${o}`, PER_ORG, '0'.repeat(64), orgId(o), tlpOf(o), NOW, NOW);
    }
  })();
  const ins = db.prepare('insert into components (inventory_seq, ecosystem, release, name, source_name, version, purl, bom_ref) values (?, ?, ?, ?, ?, ?, ?, null)');
  const CHUNK = 200_000;
  for (let start = 0; start < draws.pkg.length; start += CHUNK) {
    db.transaction(() => {
      const end = Math.min(start + CHUNK, draws.pkg.length);
      for (let i = start; i < end; i++) {
        const r = row(pool, draws.pkg[i]!, draws.ver[i]!);
        ins.run(draws.inv[i]! + 1, r.ecosystem, r.release, r.name, r.source_name, r.version, r.purl);
      }
    })();
  }
  const t1 = performance.now();
  for (const { sql } of indexSql) db.exec(sql);
  db.exec('analyze');
  db.pragma('wal_checkpoint(TRUNCATE)');
  const t2 = performance.now();
  const pages = db.prepare(`select name, sum(pgsize) as bytes from dbstat where name in ('components', ${COMPONENT_INDEXES.map(() => '?').join(',')}) group by name`).all(...COMPONENT_INDEXES) as { name: string; bytes: number }[];
  db.close();
  const size = statSync(join(file, 'clearinghouse.db')).size;
  return {
    loadSeconds: (t1 - t0) / 1000,
    indexSeconds: (t2 - t1) / 1000,
    rowsPerSecond: draws.pkg.length / ((t1 - t0) / 1000),
    sizeBytes: size,
    sizeDetail: pages.map((p) => `${p.name} ${mb(p.bytes)}`).join(', '),
  };
}

async function loadPostgres(pool: Pkg[], draws: Draws): Promise<LoadFigures> {
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`drop schema if exists ${PG_SCHEMA} cascade`);
  await admin.query(`create schema ${PG_SCHEMA}`);
  await admin.end();
  const h = openDatabase({ databaseUrl: PG_URL, dataDir: tmpdir(), pgSchema: PG_SCHEMA });
  await migrateToLatest(h.db);
  await h.close();

  const c = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${PG_SCHEMA}` });
  await c.connect();
  await c.query('set synchronous_commit = off');
  // The generated rows are consistent by construction: skip the per-row foreign-key triggers while loading.
  await c.query('set session_replication_role = replica');
  const defs = (await c.query(`select indexdef from pg_indexes where schemaname = $1 and indexname = any($2)`, [PG_SCHEMA, COMPONENT_INDEXES])).rows as { indexdef: string }[];
  for (const name of COMPONENT_INDEXES) await c.query(`drop index ${name}`);
  const t0 = performance.now();
  // The pool goes in once; the 10M rows are then built server-side from three integer arrays per batch.
  await c.query('create unlogged table bench_pool (pkg int primary key, ecosystem text not null, release text, name text not null, source_name text, purl_prefix text not null, purl_suffix text not null)');
  await c.query('create unlogged table bench_versions (pkg int not null, vi int not null, version text not null, primary key (pkg, vi))');
  for (let s = 0; s < pool.length; s += 20_000) {
    const part = pool.slice(s, s + 20_000);
    await c.query(
      'insert into bench_pool select * from unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])',
      [part.map((p) => p.rank - 1), part.map((p) => p.eco), part.map((p) => p.release), part.map((p) => p.name), part.map((p) => p.sourceName), part.map((p) => p.purlPrefix), part.map((p) => p.purlSuffix)],
    );
    const vp: number[] = [], vi: number[] = [], vv: string[] = [];
    for (const p of part) p.versions.forEach((v, i) => { vp.push(p.rank - 1); vi.push(i); vv.push(v); });
    await c.query('insert into bench_versions select * from unnest($1::int[], $2::int[], $3::text[])', [vp, vi, vv]);
  }
  const os = Array.from({ length: ORGS }, (_, o) => o);
  await c.query(
    `insert into organisations (id, name, kind, sectors, owner_org_id, tlp, embargo_until, restricted_role, version, created_at, updated_at)
     select id, 'Org ' || o, case when o = 0 then 'government' else 'infrastructure-operator' end, case when o = 0 then '[]' else '["energy"]' end, id, 'RED', null, null, 1, $3, $3
     from unnest($1::int[], $2::text[]) as u(o, id)`,
    [os, os.map(orgId), NOW],
  );
  await c.query(
    `insert into inventories (seq, id, name, format, component_count, unmatched_count, unmatched, sbom_sha256, owner_org_id, tlp, embargo_until, restricted_role, version, created_at, updated_at)
     select o + 1, iid, 'estate ' || o, 'cyclonedx-json', $5, 0, '[]', repeat('0', 64), oid, tlp, null, null, 1, $6, $6
     from unnest($1::int[], $2::text[], $3::text[], $4::text[]) as u(o, iid, oid, tlp)`,
    [os, os.map(invId), os.map(orgId), os.map(tlpOf), PER_ORG, NOW],
  );
  await c.query(`select setval(pg_get_serial_sequence('inventories', 'seq'), $1)`, [ORGS]);
  const BATCH = 100_000;
  for (let s = 0; s < draws.pkg.length; s += BATCH) {
    const e = Math.min(s + BATCH, draws.pkg.length);
    await c.query(
      `insert into components (inventory_seq, ecosystem, release, name, source_name, version, purl, bom_ref)
       select u.inv + 1, p.ecosystem, p.release, p.name, p.source_name, v.version, p.purl_prefix || v.version || p.purl_suffix, null
       from unnest($1::int[], $2::int[], $3::int[]) with ordinality as u(inv, pkg, vi, n)
       join bench_pool p on p.pkg = u.pkg
       join bench_versions v on v.pkg = u.pkg and v.vi = u.vi
       order by u.n`,
      [Array.from(draws.inv.subarray(s, e)), Array.from(draws.pkg.subarray(s, e)), Array.from(draws.ver.subarray(s, e))],
    );
  }
  const t1 = performance.now();
  await c.query('set session_replication_role = origin');
  await c.query(`set maintenance_work_mem = '1GB'`);
  for (const { indexdef } of defs) await c.query(indexdef);
  await c.query('drop table bench_pool, bench_versions');
  // Index-only scans need the visibility map, which VACUUM builds; ANALYZE gives the planner its statistics.
  await c.query('vacuum (analyze) components');
  await c.query('analyze inventories');
  const t2 = performance.now();
  const sizes = (await c.query(
    `select relname, pg_relation_size(oid) as bytes from pg_class where relnamespace = $1::regnamespace and relname = any($2)`,
    [PG_SCHEMA, ['components', ...COMPONENT_INDEXES]],
  )).rows as { relname: string; bytes: string }[];
  const total = Number((await c.query(`select pg_total_relation_size('components') + pg_total_relation_size('inventories') as n`)).rows[0].n);
  await c.end();
  return {
    loadSeconds: (t1 - t0) / 1000,
    indexSeconds: (t2 - t1) / 1000,
    rowsPerSecond: draws.pkg.length / ((t1 - t0) / 1000),
    sizeBytes: total,
    sizeDetail: sizes.map((r) => `${r.relname} ${mb(Number(r.bytes))}`).join(', '),
  };
}

// ---------------------------------------------------------------------------------------------- querying

function principal(organisationId: string, kind: OrganisationKind): Principal {
  const m: Membership = { organisationId, kind, roles: new Set(['member']) };
  return {
    userId: `bench-${kind}`, email: null, siteAdmin: false, via: 'token', tokenId: null, sessionId: null,
    scopes: new Set(['read']), memberships: new Map([[organisationId, m]]), mustChangePassword: false,
  };
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;
const ms = (x: number) => x.toFixed(1);

/** The reverse query is paged: a run fetches every page at the largest page size, as a client collecting all would. */
async function allPages(affected: AffectedService, p: Principal, record: unknown): Promise<{ affected: unknown[]; pages: number }> {
  const rows: unknown[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await affected.affectedBy(p, record, { limit: AFFECTED_LIMITS.maxLimit, cursor });
    rows.push(...page.affected);
    cursor = page.nextCursor ?? undefined;
    pages++;
  } while (cursor);
  return { affected: rows, pages };
}

async function query(driver: Driver, dataDir: string, advs: BenchAdvisory[]): Promise<void> {
  const h = driver === 'postgres' ? openDatabase({ databaseUrl: PG_URL, dataDir, pgSchema: PG_SCHEMA }) : openDatabase({ dataDir });
  // Lets a run try connection settings the server does not (yet) make, e.g. BENCH_SQLITE_PRAGMAS="mmap_size=2147483648".
  if (driver === 'sqlite') for (const pragma of (process.env.BENCH_SQLITE_PRAGMAS ?? '').split(',').filter(Boolean)) await sql.raw(`pragma ${pragma}`).execute(h.db);
  const deps = { db: h.db, driver: h.driver, clock: systemClock, events: new LocalEventBus() };
  const inventories = new InventoryService(deps);
  const affected = new AffectedService(deps, inventories);
  const readers: [string, Principal][] = [
    ['coordinator (sees AMBER+GREEN: 90% of inventories)', principal(orgId(0), 'government')],
    ['operator (sees own + GREEN: ~10%)', principal(orgId(1), 'infrastructure-operator')],
  ];
  try {
    await uploadFigure(driver, inventories);
    for (const [who, p] of readers) {
      console.log(`\n  ${driver} — ${who}`);
      console.log(`  ${'advisory'.padEnd(62)} ${'affected'.padStart(8)} ${'cold ms'.padStart(8)} ${'warm p50'.padStart(9)} ${'warm max'.padStart(9)}`);
      const warm: number[] = [];
      const cold: number[] = [];
      for (const a of advs) {
        let t = performance.now();
        const first = await allPages(affected, p, a.record);
        const c = performance.now() - t;
        cold.push(c);
        const runs: number[] = [];
        for (let i = 0; i < REPEAT; i++) {
          t = performance.now();
          await allPages(affected, p, a.record);
          runs.push(performance.now() - t);
        }
        runs.sort((x, y) => x - y);
        warm.push(...runs);
        console.log(`  ${a.label.padEnd(62)} ${String(first.affected.length).padStart(8)} ${ms(c).padStart(8)} ${ms(pct(runs, 50)).padStart(9)} ${ms(runs[runs.length - 1]!).padStart(9)}`);
      }
      warm.sort((x, y) => x - y);
      cold.sort((x, y) => x - y);
      console.log(`  => ${driver} ${who.split(' ')[0]}: warm p50 ${ms(pct(warm, 50))} ms, p95 ${ms(pct(warm, 95))} ms, max ${ms(warm[warm.length - 1]!)} ms; first run p50 ${ms(pct(cold, 50))} ms, max ${ms(cold[cold.length - 1]!)} ms (${advs.length} advisories x ${REPEAT} runs)`);
    }
  } finally {
    await h.close();
  }
}

/** One large SBOM through the real upload path (parse, canonicalise, insert into the loaded table, audit). */
async function uploadFigure(driver: Driver, inventories: InventoryService): Promise<void> {
  const size = int('BENCH_UPLOAD_COMPONENTS', 50_000);
  const components = Array.from({ length: size }, (_, i) => ({ type: 'library', 'bom-ref': `c${i}`, name: `up-${i}`, version: `1.${i % 100}.0`, purl: `pkg:npm/upload-${i}@1.${i % 100}.0` }));
  const body = Buffer.from(JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6', version: 1, components }));
  const sys: Principal = { userId: null, email: null, siteAdmin: true, via: 'system', tokenId: null, sessionId: null, scopes: new Set(['read', 'write', 'admin']), memberships: new Map(), mustChangePassword: false };
  const t = performance.now();
  const inv = await inventories.create(sys, { name: 'bench upload', organisationId: orgId(1), body, media: 'json' });
  const s = (performance.now() - t) / 1000;
  console.log(`\n  ${driver}: upload of a ${mb(body.length)} CycloneDX JSON with ${inv.componentCount.toLocaleString('en')} components: ${s.toFixed(2)} s (${Math.round(inv.componentCount / s).toLocaleString('en')} components/s)`);
  await inventories.remove(sys, inv.id);
}

// ---------------------------------------------------------------------------------------------- main

async function main(): Promise<void> {
  const total = ORGS * PER_ORG;
  console.log(`reverse-query bench: ${ORGS} organisations x ${PER_ORG} components = ${total.toLocaleString('en')} rows; pool ${PACKAGES.toLocaleString('en')} packages; drivers ${DRIVERS.join(', ')}`);
  let t = performance.now();
  const pool = makePool();
  const draws = makeDraws(pool);
  // The bench writes rows directly: check that they are exactly what an upload would store.
  for (let i = 0; i < Math.min(total, 5_000); i += 7) {
    const r = row(pool, draws.pkg[i]!, draws.ver[i]!);
    const s = toStoredComponent({ purl: r.purl, ecosystem: '', name: '', version: '' });
    if (s.purl !== r.purl || s.name !== r.name || s.source_name !== r.source_name || s.release !== r.release || s.version !== r.version || s.ecosystem !== r.ecosystem) {
      throw new Error(`generated row differs from an upload's: ${JSON.stringify(r)} vs ${JSON.stringify(s)}`);
    }
  }
  const advs = advisories(pool, draws);
  console.log(`generated in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  for (const driver of DRIVERS) {
    const dir = mkdtempSync(join(tmpdir(), 'clearinghouse-bench-'));
    try {
      t = performance.now();
      const f = driver === 'sqlite' ? await loadSqlite(dir, pool, draws) : await loadPostgres(pool, draws);
      console.log(`\n${driver}: loaded ${total.toLocaleString('en')} rows in ${f.loadSeconds.toFixed(1)} s (${Math.round(f.rowsPerSecond).toLocaleString('en')} rows/s), indexes + analyze ${f.indexSeconds.toFixed(1)} s`);
      console.log(`${driver}: size ${mb(f.sizeBytes)} (${f.sizeDetail}); ${(f.sizeBytes / total).toFixed(0)} bytes per component all in`);
      await query(driver, dir, advs);
    } finally {
      if (!KEEP) {
        rmSync(dir, { recursive: true, force: true });
        if (driver === 'postgres') {
          const c = new pg.Client({ connectionString: PG_URL });
          await c.connect();
          await c.query(`drop schema if exists ${PG_SCHEMA} cascade`);
          await c.end();
        }
      } else console.log(`kept: ${driver === 'sqlite' ? dir : `schema ${PG_SCHEMA}`}`);
    }
  }
}

await main();

