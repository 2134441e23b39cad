// Every version-order case in ../shared/data/versions (osv-scalibr's `semantic` test data and osv.dev's Packagist
// cases) must hold, in both directions. One test per file; a failure lists every failing line.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { versionSchemeFor } from './index.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const dir = path.resolve(repoRoot, '..', 'shared', 'data', 'versions');
const required = process.env.CLEARINGHOUSE_REQUIRE_SHARED === '1';
const present = existsSync(dir);
if (!present && !required) console.warn(`[versions] shared data absent at ${dir}: skipping the shared version-order cases`);

/** File name prefix → OSV ecosystem. */
const ECOSYSTEM_BY_FILE: Record<string, string> = {
  alpine: 'Alpine',
  cran: 'CRAN',
  debian: 'Debian',
  hackage: 'Hackage',
  maven: 'Maven',
  nuget: 'NuGet',
  'osv.dev-packagist': 'Packagist',
  packagist: 'Packagist',
  pub: 'Pub',
  pypi: 'PyPI',
  redhat: 'Red Hat',
  rubygems: 'RubyGems',
  semver: 'SemVer',
};

export interface VersionCase {
  line: number;
  a: string;
  op: '<' | '=' | '>';
  b: string;
}

export function readCases(text: string): VersionCase[] {
  const cases: VersionCase[] = [];
  text.split('\n').forEach((raw, idx) => {
    const line = raw.replace(/\r$/, '').trim();
    if (line === '' || line.startsWith('#') || line.startsWith('//')) return;
    const parts = line.split(' ');
    if (parts.length !== 3 || !['<', '=', '>'].includes(parts[1]!)) {
      throw new Error(`line ${idx + 1}: cannot read case ${JSON.stringify(raw)}`);
    }
    cases.push({ line: idx + 1, a: parts[0]!, op: parts[1] as VersionCase['op'], b: parts[2]! });
  });
  return cases;
}

function ecosystemFor(file: string): string {
  const key = Object.keys(ECOSYSTEM_BY_FILE)
    .sort((x, y) => y.length - x.length)
    .find((k) => file.startsWith(k + '-') || file.startsWith(k + '_'));
  if (!key) throw new Error(`no ecosystem mapped for shared version file ${file}`);
  return ECOSYSTEM_BY_FILE[key]!;
}

/**
 * Shared cases where osv-scalibr's expectation contradicts Composer (composer/semver VersionParser::normalize, then
 * Comparator): Composer wins, and each line is pinned here to Composer's verdict (the same list is in docs/versions.md).
 * The shared file must still say the opposite, so the list cannot go stale silently.
 */
export const COMPOSER_OVERRIDES: Record<string, '<' | '=' | '>'> = {
  // normalize pads `v3.0` to 3.0.0.0, which is the release after 3.0.0.0-beta.
  'packagist-versions-generated.txt:1256': '>', // v3.0 vs v3.0.0-beta
  'packagist-versions-generated.txt:1262': '>', // v3.4 vs v3.4.0-alpha
  'packagist-versions-generated.txt:1278': '>', // v4-beta4 vs v4.0-alpha: 4.0.0.0-beta4 vs 4.0.0.0-alpha
  'packagist-versions-generated.txt:8210': '>', // v4.4 vs v4.4.0-beta
  'packagist-versions-generated.txt:8245': '>', // v6.5 vs v6.5.0-beta-0 (6.5.0.0-beta0)
  'packagist-versions-generated.txt:8251': '>', // v6.6 vs v6.6.0-beta
  // Stability names are matched case-insensitively and lower-cased (`ALPHA.1` -> alpha1), so they rank.
  'packagist-versions-generated.txt:5133': '<', // v1.9.0-ALPHA.1 vs v1.9.0-BETA.1
  'packagist-versions-generated.txt:5134': '>', // v1.9.0-BETA.1 vs v1.9.0-ALPHA.2
  'packagist-versions-generated.txt:5135': '<', // v1.9.0-ALPHA.2 vs v1.9.0-BETA.2
  // `-stable` normalises away: 5.1.0-stable is 5.1.0.0, the release.
  'packagist-versions-generated.txt:5313': '>', // 5.1.0-stable vs 5.1.0-beta2
  // Both normalise to 1.0.0.0.
  'packagist-versions.txt:75': '=', // 1.0.0 vs 1.0
};

const opOf = (n: number): string => (n < 0 ? '<' : n > 0 ? '>' : '=');
const flip = { '<': '>', '=': '=', '>': '<' } as const;

describe('shared version-order cases', { skip: present || required ? false : `shared data absent at ${dir}` }, () => {
  it('the shared folder is there (CLEARINGHOUSE_REQUIRE_SHARED=1 makes its absence fail)', () => {
    assert.ok(present, `shared data absent at ${dir}`);
  });

  const files = present ? readdirSync(dir).filter((f) => f.endsWith('.txt')).sort() : [];

  // A file that went missing or was cut short would pass "every case holds" with fewer cases: pin how many ran.
  it('runs all 71,818 osv-scalibr cases and the 85 osv.dev Packagist cases', () => {
    const count = (pick: (f: string) => boolean) => files.filter(pick).reduce((n, f) => n + readCases(readFileSync(path.join(dir, f), 'utf8')).length, 0);
    assert.equal(count((f) => !f.startsWith('osv.dev-')), 71_818);
    assert.equal(count((f) => f.startsWith('osv.dev-')), 85);
  });
  for (const file of files) {
    it(`${file} (${ecosystemFor(file)})`, () => {
      const ecosystem = ecosystemFor(file);
      const scheme = versionSchemeFor(ecosystem);
      assert.ok(scheme, `no scheme for ${ecosystem}`);
      const cases = readCases(readFileSync(path.join(dir, file), 'utf8'));
      assert.ok(cases.length > 0, `${file} has no cases`);
      const failures: string[] = [];
      for (const orig of cases) {
        const override = COMPOSER_OVERRIDES[`${file}:${orig.line}`];
        if (override !== undefined && override === orig.op) failures.push(`${file}:${orig.line}: now agrees with Composer, drop it from COMPOSER_OVERRIDES`);
        const c = override === undefined ? orig : { ...orig, op: override };
        let forward: string;
        let backward: string;
        try {
          const a = scheme.parse(c.a);
          const b = scheme.parse(c.b);
          forward = opOf(scheme.compare(a, b));
          backward = opOf(scheme.compare(b, a));
        } catch (err) {
          failures.push(`${file}:${c.line}: ${c.a} ${c.op} ${c.b}: threw ${(err as Error).message}`);
          continue;
        }
        if (forward !== c.op) failures.push(`${file}:${c.line}: expected ${c.a} ${c.op} ${c.b}, got ${c.a} ${forward} ${c.b}`);
        if (backward !== flip[c.op]) {
          failures.push(`${file}:${c.line}: expected ${c.b} ${flip[c.op]} ${c.a} (reverse), got ${c.b} ${backward} ${c.a}`);
        }
      }
      assert.equal(failures.length, 0, `${failures.length} of ${cases.length} cases fail:\n${failures.join('\n')}`);
    });
  }
});
