/**
 * The index against a deliberately naive reference: the OSV schema's pseudo-code evaluated record by record, parsing
 * every boundary on every query, over the real shared advisories. The index stores its data in a compact layout for
 * speed (see advisory-index.ts); this suite is what says the layout changed nothing a user can see.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseOsvRecord, type OsvAffected, type OsvRecord } from '../../formats/osv.ts';
import { loadAdvisories } from '../../formats/advisory-source.ts';
import { versionSchemeFor, type VersionScheme } from '../versions/index.ts';
import { AdvisoryIndex, type MatchQuery } from './advisory-index.ts';
import { canonicalName, normaliseRepoUrl, parseEcosystem } from './ecosystem.ts';

const osvDir = fileURLToPath(new URL('../../../../shared/data/osv/', import.meta.url));
const present = existsSync(osvDir);
const required = process.env.CLEARINGHOUSE_REQUIRE_SHARED === '1';
if (!present && !required) console.warn(`advisory index reference suite skipped: shared data absent at ${osvDir}`);

type Parsed = { ok: true; v: unknown } | { ok: false; message: string };
// Parsing is pure, so remembering results keeps the reference naive in logic while fast enough to run in the suite.
const parsed = new Map<VersionScheme, Map<string, Parsed>>();
function tryParse(scheme: VersionScheme, s: string): Parsed {
  let memo = parsed.get(scheme);
  if (!memo) parsed.set(scheme, (memo = new Map()));
  let p = memo.get(s);
  if (!p) {
    try {
      p = { ok: true, v: scheme.parse(s) };
    } catch (err) {
      p = { ok: false, message: (err as Error).message };
    }
    memo.set(s, p);
  }
  return p;
}

type Events = OsvAffected['ranges'][number]['events'];

/**
 * The schema's IsAffected and BeforeLimits pseudo-code, read literally: `sorted(events)` is Python's stable sort by
 * version, so events at one version keep the order the record writes them in; "0" sorts first; an unparsable
 * introduced counts as "0" and other unparsable boundaries are dropped (the engine's documented widening).
 */
function isAffected(scheme: VersionScheme, events: Events, v: unknown): boolean {
  type Ev = { kind: 'introduced' | 'fixed' | 'last_affected'; v: unknown };
  const evs: Ev[] = [];
  const limits: unknown[] = [];
  let infinite = false;
  for (const e of events) {
    if (e.limit !== undefined) {
      if (e.limit.includes('*')) infinite = true;
      else {
        const p = tryParse(scheme, e.limit);
        if (p.ok) limits.push(p.v);
      }
      continue;
    }
    const kind = e.introduced !== undefined ? 'introduced' : e.fixed !== undefined ? 'fixed' : 'last_affected';
    const raw = (e.introduced ?? e.fixed ?? e.last_affected)!;
    const p = kind === 'introduced' && raw === '0' ? null : tryParse(scheme, raw);
    if (p === null || !p.ok) {
      if (kind === 'introduced') evs.push({ kind, v: null });
    } else evs.push({ kind, v: p.v });
  }
  const key = (e: Ev) => e.v;
  evs.sort((a, b) => (key(a) === null ? (key(b) === null ? 0 : -1) : key(b) === null ? 1 : scheme.compare(key(a), key(b))));
  let vulnerable = false;
  for (const e of evs) {
    if (e.kind === 'introduced' && (e.v === null || scheme.compare(v, e.v) >= 0)) vulnerable = true;
    else if (e.kind === 'fixed' && scheme.compare(v, e.v) >= 0) vulnerable = false;
    else if (e.kind === 'last_affected' && scheme.compare(v, e.v) > 0) vulnerable = false;
  }
  if (!infinite && limits.length > 0 && !limits.some((l) => scheme.compare(v, l) < 0)) vulnerable = false;
  return vulnerable;
}

interface RefMatch {
  id: string;
  fixed: string | null;
}

type Candidate = { record: OsvRecord; affected: OsvAffected };

function push(map: Map<string, Candidate[]>, key: string, c: Candidate): void {
  const list = map.get(key);
  if (list) list.push(c);
  else map.set(key, [c]);
}

const semver = versionSchemeFor('SemVer')!;
const rangeScheme = (a: OsvAffected, type: string) => (type === 'SEMVER' ? semver : a.package ? versionSchemeFor(a.package.ecosystem) ?? null : null);

/** Whether the version written `raw` is affected by the entry: its versions list or any SEMVER/ECOSYSTEM range. */
function entryAffects(a: OsvAffected, raw: string): boolean {
  if (a.versions.includes(raw)) return true;
  const scheme = rangeScheme(a, 'ECOSYSTEM');
  if (scheme && a.versions.length > 0) {
    const v = tryParse(scheme, raw);
    if (v.ok && a.versions.some((s) => { const p = tryParse(scheme, s); return p.ok && scheme.compare(p.v, v.v) === 0; })) return true;
  }
  for (const g of a.ranges) {
    const rs = g.type === 'GIT' ? null : rangeScheme(a, g.type);
    if (!rs) continue;
    const v = tryParse(rs, raw);
    if (v.ok && isAffected(rs, g.events, v.v)) return true;
  }
  return false;
}

/**
 * Every advisory affecting q, evaluated from the records' affected entries (in the order they were loaded). The fix
 * is the lowest `fixed` written above the installed version (in the first ordering that has one) at which none of
 * the advisory's entries for this package and release is affected.
 */
function reference(candidates: readonly Candidate[], q: MatchQuery): { matches: RefMatch[]; failed: boolean } {
  const out = new Map<string, { entries: OsvAffected[]; affected: boolean; git: Set<string> }>();
  let failed = false;
  for (const { record: r, affected: a } of candidates) {
    if (r.withdrawn) continue;
    const eco = a.package ? parseEcosystem(a.package.ecosystem) : null;
    const byName = a.package && eco!.base === q.ecosystem && q.names.includes(canonicalName(eco!.base, a.package.name));
    const byRepo = q.repo !== undefined && a.ranges.some((g) => g.type === 'GIT' && g.repo && normaliseRepoUrl(g.repo) === q.repo);
    if (!byName && !byRepo) continue;
    if (eco && eco.release !== null && q.release !== null && eco.release !== q.release) continue;
    let acc = out.get(r.id);
    if (!acc) out.set(r.id, (acc = { entries: [], affected: false, git: new Set() }));
    acc.entries.push(a);
    const scheme = rangeScheme(a, 'ECOSYSTEM');
    if (scheme && a.versions.length > 0 && !tryParse(scheme, q.version).ok && a.versions.some((s) => tryParse(scheme, s).ok)) failed = true;
    for (const g of a.ranges) {
      if (g.type === 'GIT') {
        if (q.commit === undefined) continue;
        const c = q.commit.toLowerCase();
        const has = (k: 'introduced' | 'fixed' | 'last_affected' | 'limit') => g.events.some((e) => e[k] !== undefined && e[k]!.toLowerCase() === c && !(k === 'introduced' && e[k] === '0'));
        if (!has('fixed') && !has('limit') && (has('introduced') || has('last_affected'))) {
          acc.affected = true;
          for (const e of g.events) if (e.fixed !== undefined) acc.git.add(e.fixed.toLowerCase());
        }
        continue;
      }
      const rs = rangeScheme(a, g.type);
      if (rs && !tryParse(rs, q.version).ok) failed = true;
    }
    if (entryAffects(a, q.version)) acc.affected = true;
  }
  const matches: RefMatch[] = [];
  for (const [id, acc] of out) {
    if (!acc.affected) continue;
    let fixScheme: VersionScheme | null = null;
    const fixes: { v: unknown; raw: string }[] = [];
    for (const a of acc.entries) {
      for (const g of a.ranges) {
        const rs = g.type === 'GIT' ? null : rangeScheme(a, g.type);
        if (!rs || (fixScheme !== null && rs !== fixScheme)) continue;
        const v = tryParse(rs, q.version);
        if (!v.ok) continue;
        for (const e of g.events) {
          if (e.fixed === undefined) continue;
          const f = tryParse(rs, e.fixed);
          if (f.ok && rs.compare(f.v, v.v) > 0) {
            fixScheme = rs;
            fixes.push({ v: f.v, raw: e.fixed });
          }
        }
      }
    }
    let fixed: string | null;
    if (fixScheme === null) fixed = acc.git.size === 1 ? [...acc.git][0]! : null;
    else {
      const s = fixScheme;
      fixes.sort((x, y) => s.compare(x.v, y.v));
      fixed = fixes.find((f) => !acc.entries.some((a) => entryAffects(a, f.raw)))?.raw ?? null;
    }
    matches.push({ id, fixed });
  }
  return { matches, failed };
}

describe('advisory index agrees with a naive evaluation of the shared advisories', { skip: present || required ? false : 'shared data absent at ' + osvDir }, () => {
  const index = new AdvisoryIndex();
  const byPackage = new Map<string, Candidate[]>();
  const byRepo = new Map<string, Candidate[]>();
  const queries: MatchQuery[] = [];
  let seen = 0;

  before(async () => {
    for (const f of readdirSync(osvDir).filter((f) => f.endsWith('.zip')).sort()) {
      await loadAdvisories(join(osvDir, f), (r, src) => {
        index.add(r, src);
        for (const a of r.affected) {
          const keys = new Set<string>();
          if (a.package) {
            const { base } = parseEcosystem(a.package.ecosystem);
            const key = base + '\u0000' + canonicalName(base, a.package.name);
            push(byPackage, key, { record: r, affected: a });
          }
          for (const g of a.ranges) if (g.type === 'GIT' && g.repo) keys.add(normaliseRepoUrl(g.repo));
          for (const repo of keys) push(byRepo, repo, { record: r, affected: a });
        }
        // Every 40th record's packages, at every boundary, just beside it, and at listed versions, in three releases.
        if (seen++ % 40 !== 0) return;
        for (const a of r.affected.slice(0, 3)) {
          if (!a.package) continue;
          const { base, release } = parseEcosystem(a.package.ecosystem);
          const name = canonicalName(base, a.package.name);
          const versions = new Set<string>(a.versions.slice(0, 3));
          for (const g of a.ranges) {
            for (const e of g.events) {
              const v = (e.introduced ?? e.fixed ?? e.last_affected ?? e.limit)!;
              versions.add(v).add(v + '.1').add(v.replace(/\d+$/, (d) => String(Math.max(0, Number(d) - 1))));
            }
          }
          versions.add('0.0.1').add('not a version');
          for (const version of versions) for (const rel of new Set([release, null, 'other'])) queries.push({ ecosystem: base, release: rel, names: [name], version });
          for (const g of a.ranges) {
            if (g.type !== 'GIT' || !g.repo) continue;
            const commit = g.events.map((e) => e.introduced ?? e.fixed ?? e.last_affected).find((c) => c && c !== '0');
            if (commit) queries.push({ ecosystem: 'GIT', release: null, names: [], version: 'unknown', commit, repo: normaliseRepoUrl(g.repo) });
          }
        }
      });
    }
  });

  it('gives the same advisories, fixes and parse problems for every query', () => {
    assert.ok(queries.length > 10_000, `only ${queries.length} queries`);
    assert.equal(seen, 27_060, 'every advisory of the shared zips was loaded');
    let matched = 0;
    for (const q of queries) {
      const candidates: Candidate[] = [];
      for (const n of q.names) candidates.push(...(byPackage.get(q.ecosystem + '\u0000' + n) ?? []));
      if (q.repo !== undefined) candidates.push(...(byRepo.get(q.repo) ?? []));
      const want = reference(candidates, q);
      const got = index.match(q);
      const sort = (m: RefMatch[]) => [...m].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      assert.deepEqual(sort(got.matches.map((m) => ({ id: m.advisory.id, fixed: m.fixed }))), sort(want.matches), JSON.stringify(q));
      assert.equal(got.problems.length > 0, want.failed, JSON.stringify(q));
      if (got.matches.length > 0) matched++;
    }
    // The sample must exercise matches, not only misses.
    assert.ok(matched > queries.length / 4, `${matched} of ${queries.length} queries matched`);
  });
});

describe('advisory index problems', () => {
  const rec = (id: string, events: object[]) => ({
    id,
    modified: '2024-01-01T00:00:00Z',
    affected: [{ package: { ecosystem: 'PyPI', name: 'Pkg_A' }, ranges: [{ type: 'ECOSYSTEM', events }] }],
  });

  it('reports every unparsable boundary of every record, even when the same string was seen before', () => {
    const index = new AdvisoryIndex();
    index.add(parseOsvRecord(rec('A-1', [{ introduced: '0' }, { fixed: 'not a version!' }])).record, 'a.json');
    index.add(parseOsvRecord(rec('A-2', [{ introduced: 'not a version!' }, { fixed: '2.0' }])).record, 'b.json');
    assert.deepEqual(
      index.problems.map((p) => [p.advisory, p.source, p.message.replace(/: .*$/, '')]),
      [
        ['A-1', 'a.json', 'affected[0].ranges[0]'],
        ['A-2', 'b.json', 'affected[0].ranges[0]'],
      ],
    );
    assert.match(index.problems[0]!.message, /^affected\[0\]\.ranges\[0\]: fixed "not a version!" ignored: /);
    assert.match(index.problems[1]!.message, /^affected\[0\]\.ranges\[0\]: introduced "not a version!" unparsable, treated as "0": /);
    // A-1 is widened to every version; A-2 to everything below 2.0.
    const q = (version: string) => index.match({ ecosystem: 'PyPI', release: null, names: ['pkg-a'], version });
    assert.deepEqual(q('1.0').matches.map((m) => [m.advisory.id, m.fixed]), [['A-1', null], ['A-2', '2.0']]);
    assert.deepEqual(q('3.0').matches.map((m) => m.advisory.id), ['A-1']);
  });

  it('reports a component version its ordering rejects once per lookup, every time it is looked up', () => {
    const index = new AdvisoryIndex();
    index.add({ id: 'B-1', aliases: [], upstream: [], related: [], severity: [], references: [], affected: [{ package: { ecosystem: 'npm', name: 'b' }, versions: [], ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }, { type: 'SEMVER', events: [{ introduced: '1.0.0' }] }] }] });
    for (let i = 0; i < 2; i++) {
      const out = index.match({ ecosystem: 'npm', release: null, names: ['b'], version: 'banana' });
      assert.deepEqual(out.matches, []);
      assert.equal(out.problems.length, 1);
      assert.match(out.problems[0]!, /banana/);
    }
  });
});
