/**
 * Matching benchmark (`npm run bench:match`). Prints figures, asserts nothing. Structured as named sections so more
 * can be added (e.g. the database reverse query): add an entry to SECTIONS.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AdvisoryIndex, type MatchQuery } from '../src/domain/matching/advisory-index.ts';
import { parseOsvRecord, type OsvRecord } from '../src/formats/osv.ts';
import { loadAdvisories } from '../src/formats/advisory-source.ts';

const data = fileURLToPath(new URL('../../shared/data/', import.meta.url));

function rssMb(): number {
  return process.memoryUsage().rss / 1024 / 1024;
}
function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

let peak = 0;
const sampler = setInterval(() => (peak = Math.max(peak, rssMb())), 20);
function resetPeak(): void {
  gc();
  peak = rssMb();
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

let shared: AdvisoryIndex | null = null;
let big: AdvisoryIndex | null = null;

const SECTIONS: { name: string; run: () => Promise<void> }[] = [
  {
    name: 'load shared OSV zips',
    async run() {
      const dir = join(data, 'osv');
      if (!existsSync(dir)) return console.log(`  skipped: ${dir} absent`);
      resetPeak();
      const t0 = performance.now();
      shared = new AdvisoryIndex();
      let n = 0;
      for (const f of readdirSync(dir).filter((f) => f.endsWith('.zip')).sort()) {
        const s = await loadAdvisories(join(dir, f), (r, src) => shared!.add(r, src));
        n += s.records;
      }
      const s = (performance.now() - t0) / 1000;
      console.log(`  ${n} advisories in ${s.toFixed(2)} s = ${Math.round(n / s)} advisories/s; peak RSS ${peak.toFixed(0)} MB`);
    },
  },
  {
    name: 'index 500k synthetic advisories',
    async run() {
      shared = null;
      resetPeak();
      const t0 = performance.now();
      big = new AdvisoryIndex();
      const N = 500_000;
      for (let i = 0; i < N; i++) big.add(synthetic(i));
      const s = (performance.now() - t0) / 1000;
      gc();
      console.log(`  ${N} advisories in ${s.toFixed(2)} s = ${Math.round(N / s)} advisories/s; peak RSS ${peak.toFixed(0)} MB, after GC ${rssMb().toFixed(0)} MB`);
    },
  },
  {
    name: 'match 1M synthetic components',
    async run() {
      const index = big ?? new AdvisoryIndex();
      const M = 1_000_000;
      const queries: MatchQuery[] = new Array(M);
      for (let i = 0; i < M; i++) {
        const eco = i % 3 === 0 ? 'PyPI' : i % 3 === 1 ? 'npm' : 'Go';
        // Half the components name a package with advisories, half do not (the common case in a real SBOM).
        const n = i % 2 === 0 ? i % 50_000 : 100_000 + i;
        queries[i] = { ecosystem: eco, release: null, names: [eco === 'Go' ? `example.com/mod${n}` : `pkg-${n}`], version: `${i % 7}.${i % 4}.${i % 3}` };
      }
      let hits = 0;
      const t0 = performance.now();
      for (const q of queries) hits += index.match(q).matches.length;
      const s = (performance.now() - t0) / 1000;
      console.log(`  ${M} components in ${s.toFixed(2)} s = ${Math.round(M / s)} components/s (${hits} matches)`);
    },
  },
];

for (const section of SECTIONS) {
  console.log(`# ${section.name}`);
  await section.run();
}
clearInterval(sampler);
