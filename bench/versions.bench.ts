// Parses/second and compares/second for each version scheme, over the real versions in ../shared/data/versions
// (falling back to a small built-in list when that folder is absent). Each scheme runs in its own process, as one
// scheme's call sites would otherwise turn megamorphic and slow the next ones down (a process comparing versions of
// many ecosystems at once should expect the lower, shared-process figures: run with --shared to see them).
// Run: node --import tsx bench/versions.bench.ts [seconds-per-measure, default 0.5] [--shared]
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { versionSchemeFor } from '../src/domain/versions/index.ts';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const dataDir = path.resolve(repoRoot, '..', 'shared', 'data', 'versions');
const args = process.argv.slice(2);
const only = args.includes('--one') ? args[args.indexOf('--one') + 1] : undefined;
const shared = args.includes('--shared');
const budgetMs = Number(args.find((a) => /^[0-9.]+$/.test(a)) ?? 0.5) * 1000;

const FILES: [string, string][] = [
  ['SemVer', 'semver'], ['PyPI', 'pypi'], ['Debian', 'debian'], ['Red Hat', 'redhat'], ['Alpine', 'alpine'], ['Maven', 'maven'],
  ['NuGet', 'nuget'], ['RubyGems', 'rubygems'], ['Packagist', 'packagist'], ['Pub', 'pub'], ['Hackage', 'hackage'], ['CRAN', 'cran'],
];

const FALLBACK = ['0.9', '1.0', '1.0.1', '1.2', '1.10', '2.0', '2.0.1', '10.4.7', '3.1.4', '0.0.1'];

function versionsFor(prefix: string): string[] {
  if (!existsSync(dataDir)) return FALLBACK;
  const out = new Set<string>();
  for (const f of readdirSync(dataDir).filter((f) => f.startsWith(prefix + '-'))) {
    for (const line of readFileSync(path.join(dataDir, f), 'utf8').split('\n')) {
      const t = line.trim();
      if (t === '' || t.startsWith('#') || t.startsWith('//')) continue;
      const [a, , b] = t.split(' ');
      if (a) out.add(a);
      if (b) out.add(b);
    }
  }
  return [...out];
}

/** Runs `body` in rounds until the budget is spent; returns operations per second. */
function measure(opsPerRound: number, body: () => void): number {
  body(); // warm-up
  let rounds = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < budgetMs) {
    body();
    rounds++;
    elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  }
  return (rounds * opsPerRound) / (elapsed / 1000);
}

const fmt = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M/s` : `${(n / 1e3).toFixed(0)} k/s`);

function benchScheme(ecosystem: string, prefix: string): string {
  const scheme = versionSchemeFor(ecosystem)!;
  const texts = versionsFor(prefix).filter((v) => {
    try {
      scheme.parse(v);
      return true;
    } catch {
      return false;
    }
  });
  let sink = 0;
  const parseRate = measure(texts.length, () => {
    for (let i = 0; i < texts.length; i++) sink += scheme.parse(texts[i]!) === null ? 1 : 0;
  });
  const parsed = texts.map((v) => scheme.parse(v));
  // Fixed pseudo-random pairs, so every scheme compares the same mix of near and far versions.
  const pairs = 20_000;
  const left: unknown[] = new Array(pairs);
  const right: unknown[] = new Array(pairs);
  let seed = 42;
  for (let i = 0; i < pairs; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    left[i] = parsed[seed % parsed.length];
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    right[i] = parsed[seed % parsed.length];
  }
  const compareRate = measure(pairs, () => {
    for (let i = 0; i < pairs; i++) sink += scheme.compare(left[i], right[i]);
  });
  if (sink === Number.MIN_SAFE_INTEGER) console.log(sink); // keeps the loops observable
  return `${ecosystem.padEnd(10)} ${scheme.id.padEnd(10)} ${String(texts.length).padStart(8)} ${fmt(parseRate).padStart(12)} ${fmt(compareRate).padStart(12)}`;
}

if (only) {
  const entry = FILES.find(([eco]) => eco === only)!;
  console.log(benchScheme(entry[0], entry[1]));
} else {
  if (!existsSync(dataDir)) console.warn(`shared data absent at ${dataDir}: using a small built-in list`);
  console.log(`${'ecosystem'.padEnd(10)} ${'scheme'.padEnd(10)} ${'versions'.padStart(8)} ${'parse'.padStart(12)} ${'compare'.padStart(12)}`);
  for (const [ecosystem, prefix] of FILES) {
    if (shared) {
      console.log(benchScheme(ecosystem, prefix));
      continue;
    }
    const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), String(budgetMs / 1000), '--one', ecosystem], { encoding: 'utf8' });
    process.stdout.write(child.status === 0 ? child.stdout : `${ecosystem}: failed\n${child.stderr}`);
  }
}
