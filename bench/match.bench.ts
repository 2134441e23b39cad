/**
 * Matching benchmark (`npm run bench:match`). Prints figures, asserts nothing. Structured as named sections so more
 * can be added (e.g. the database reverse query): add an entry to SECTIONS.
 *
 * Timings are wall-clock for one pass, as a one-shot `clearinghouse scan` experiences them (cold JIT included); the
 * matching section also prints the best of a few further passes. CPU time is printed beside wall time because on a
 * shared machine the difference is time spent waiting for a core. RSS is sampled inside the loops (a timer cannot
 * fire during synchronous work).
 */
import { existsSync, readdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AdvisoryIndex, type MatchQuery } from '../src/domain/matching/advisory-index.ts';
import { scanComponents, type ScanComponent } from '../src/domain/matching/scan.ts';
import { parseOsvRecord, type OsvRecord } from '../src/formats/osv.ts';
import { loadAdvisories } from '../src/formats/advisory-source.ts';

const data = fileURLToPath(new URL('../../shared/data/', import.meta.url));
const MATCH_PASSES = 3;

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}
function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

let sectionPeak = 0;
function sample(): void {
  const rss = process.memoryUsage.rss();
  if (rss > sectionPeak) sectionPeak = rss;
}
function startSection(): void {
  gc();
  sectionPeak = 0;
  sample();
}

/** Wall and CPU milliseconds of `fn`. */
async function timed(fn: () => void | Promise<void>): Promise<{ wall: number; cpu: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000 };
}

function rate(n: number, ms: number): string {
  return Math.round(n / (ms / 1000)).toLocaleString('en-US');
}

function synthetic(i: number): OsvRecord {
  const eco = i % 3 === 0 ? 'PyPI' : i % 3 === 1 ? 'npm' : 'Go';
  const name = eco === 'Go' ? `example.com/mod${i % 50_000}` : `pkg-${i % 50_000}`;
  return parseOsvRecord({
    id: `SYN-${i}`,
    modified: '2024-01-01T00:00:00Z',
    aliases: [`CVE-2024-${i}`],
    summary: `synthetic advisory ${i}`,
    affected: [
      {
        package: { ecosystem: eco, name },
        ranges: [{ type: eco === 'PyPI' ? 'ECOSYSTEM' : 'SEMVER', events: [{ introduced: `${i % 7}.0.0` }, { fixed: `${i % 7}.${(i % 5) + 1}.0` }] }],
      },
    ],
  }).record;
}

let big: AdvisoryIndex | null = null;

const SECTIONS: { name: string; run: () => Promise<void> }[] = [
  {
    name: '(a) load all shared OSV zips (../shared/data/osv/*.zip)',
    async run() {
      const dir = join(data, 'osv');
      if (!existsSync(dir)) return console.log(`  skipped: ${dir} absent`);
      startSection();
      let index: AdvisoryIndex | null = new AdvisoryIndex();
      let n = 0;
      const zips = readdirSync(dir).filter((f) => f.endsWith('.zip')).sort();
      const t = await timed(async () => {
        for (const f of zips) {
          const s = await loadAdvisories(join(dir, f), (r, src) => {
            index!.add(r, src);
            if ((++n & 1023) === 0) sample();
          });
          if (s.errors.length > 0) console.log(`  ${f}: ${s.errors.length} errors`);
        }
      });
      sample();
      console.log(`  advisories loaded: ${n} from ${zips.length} zips (${index.stats.packages} packages, ${index.stats.entries} entries)`);
      console.log(`  wall time:         ${(t.wall / 1000).toFixed(2)} s (CPU ${(t.cpu / 1000).toFixed(2)} s)`);
      console.log(`  load rate:         ${rate(n, t.wall)} advisories/s`);
      console.log(`  peak RSS:          ${mb(sectionPeak)}`);
      index = null;
    },
  },
  {
    name: '(b) index 500k synthetic advisories',
    async run() {
      startSection();
      const N = 500_000;
      big = new AdvisoryIndex();
      const t = await timed(() => {
        for (let i = 0; i < N; i++) {
          big!.add(synthetic(i));
          if ((i & 8191) === 0) sample();
        }
      });
      sample();
      gc();
      const after = process.memoryUsage();
      console.log(`  advisories indexed: ${N} (${big.stats.packages} packages)`);
      console.log(`  wall time:          ${(t.wall / 1000).toFixed(2)} s (CPU ${(t.cpu / 1000).toFixed(2)} s)`);
      console.log(`  index rate:         ${rate(N, t.wall)} advisories/s (parsing the records included)`);
      console.log(`  peak RSS:           ${mb(sectionPeak)}`);
      console.log(`  RSS after GC:       ${mb(after.rss)} (JS heap ${mb(after.heapUsed)})`);
    },
  },
  {
    name: '(c) match 1M synthetic components against the 500k index',
    async run() {
      const index = big ?? new AdvisoryIndex();
      const M = 1_000_000;
      // Built afresh for each pass, as a new SBOM would bring new strings (V8 caches a string's hash in the string).
      const makeQueries = (): MatchQuery[] => {
        const queries: MatchQuery[] = new Array(M);
        for (let i = 0; i < M; i++) {
          const eco = i % 3 === 0 ? 'PyPI' : i % 3 === 1 ? 'npm' : 'Go';
          // Half the components name a package with advisories, half do not (the common case in a real SBOM).
          const n = i % 2 === 0 ? i % 50_000 : 100_000 + i;
          queries[i] = { ecosystem: eco, release: null, names: [eco === 'Go' ? `example.com/mod${n}` : `pkg-${n}`], version: `${i % 7}.${i % 4}.${i % 3}` };
        }
        return queries;
      };
      startSection();
      const passes: { wall: number; cpu: number }[] = [];
      let hits = 0;
      for (let p = 0; p < MATCH_PASSES; p++) {
        hits = 0;
        let qs: MatchQuery[] | null = makeQueries();
        passes.push(
          await timed(() => {
            for (let i = 0; i < M; i++) {
              hits += index.match(qs![i]!).matches.length;
              if ((i & 65535) === 0) sample();
            }
          }),
        );
        qs = null;
        gc();
      }
      const best = passes.reduce((a, b) => (b.wall < a.wall ? b : a));
      console.log(`  components matched: ${M} (${hits} matches)`);
      console.log(`  first pass:         ${(passes[0]!.wall / 1000).toFixed(2)} s (CPU ${(passes[0]!.cpu / 1000).toFixed(2)} s) = ${rate(M, passes[0]!.wall)} components/s`);
      console.log(`  best of ${MATCH_PASSES}:          ${(best.wall / 1000).toFixed(2)} s = ${rate(M, best.wall)} components/s`);
      console.log(`  peak RSS:           ${mb(sectionPeak)}`);
    },
  },
  {
    name: '(d) scan 200k purls end to end (purl parsing, matching, sorting) against the 500k index',
    async run() {
      const index = big ?? new AdvisoryIndex();
      const K = 200_000;
      const components: ScanComponent[] = new Array(K);
      for (let i = 0; i < K; i++) {
        const eco = i % 3 === 0 ? 'pypi' : i % 3 === 1 ? 'npm' : 'golang';
        const n = i % 2 === 0 ? i % 50_000 : 100_000 + i;
        const name = eco === 'golang' ? `example.com/mod${n}` : `pkg-${n}`;
        const version = `${i % 7}.${i % 4}.${i % 3}`;
        components[i] = { purl: `pkg:${eco}/${name}@${version}`, ecosystem: eco, name, version };
      }
      startSection();
      let results = 0;
      const t = await timed(() => {
        results = scanComponents(index, components).results.length;
      });
      console.log(`  components scanned: ${K} (${results} results)`);
      console.log(`  wall time:          ${(t.wall / 1000).toFixed(2)} s (CPU ${(t.cpu / 1000).toFixed(2)} s) = ${rate(K, t.wall)} components/s`);
    },
  },
];

console.log(`node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'})`);
for (const section of SECTIONS) {
  console.log(`# ${section.name}`);
  await section.run();
}
console.log(`# process`);
console.log(`  peak RSS (whole run): ${mb(process.resourceUsage().maxRSS * 1024)}`);
