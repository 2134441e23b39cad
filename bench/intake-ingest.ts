/**
 * A SARIF upload of 10,000 findings, of which a fifth repeat earlier ones (same tool fingerprint), ingested and
 * de-duplicated (issue 9; target under 10 s on SQLite), on SQLite and PostgreSQL; called by bench/intake.bench.ts
 * (`npm run bench:intake ingest`). Printed, never asserted.
 *
 * Each database gets the same upload twice, from two organisations that cannot read each other's (TLP:AMBER)
 * findings, so both are full ingests: the first with a cold worker thread (its start is included), the second warm.
 * Also printed: the parse alone (worker thread, warm) and the two halves of the service's time.
 * BENCH_INGEST_FINDINGS changes the size, BENCH_DRIVERS the databases.
 */
import { performance } from 'node:perf_hooks';
import { systemPrincipal } from '../src/services/principal.ts';
import { FindingParsePool } from '../src/services/workers/finding-parse.pool.ts';
import type { Driver } from '../src/store/db.ts';
import { testContainer } from '../test/helpers/db.ts';

const N = Number(process.env.BENCH_INGEST_FINDINGS ?? 10_000);
const DRIVERS = (process.env.BENCH_DRIVERS ?? 'sqlite,postgres').split(',').map((d) => d.trim()) as Driver[];
const sys = systemPrincipal('cli');
const CWES = [79, 89, 22, 78, 287, 306, 352, 434, 502, 918];

/** N results; every fifth one repeats an earlier result's fingerprint (so N/5 are duplicates of earlier ones). */
export function sarifUpload(n: number): Buffer {
  const unique = n - Math.floor(n / 5);
  const results = [];
  for (let i = 0; i < n; i++) {
    const dup = i % 5 === 4;
    const k = dup ? Math.floor((i * 7919) % Math.max(1, Math.min(i, unique))) : i - Math.floor(i / 5);
    const cwe = CWES[k % CWES.length]!;
    results.push({
      ruleId: `R${cwe}`,
      message: { text: `Finding ${k}${dup ? ' again, from another path' : ''}: CWE-${cwe} in module ${k % 97}.` },
      locations: [{ physicalLocation: { artifactLocation: { uri: `src/module${k % 97}/file${k}.ts` }, region: { startLine: (k % 400) + 1 } } }],
      partialFingerprints: { primaryLocationLineHash: `h${k.toString(16).padStart(8, '0')}` },
    });
  }
  const rules = CWES.map((c) => ({ id: `R${c}`, shortDescription: { text: `CWE-${c} pattern` }, properties: { tags: ['security', `external/cwe/cwe-${c}`] } }));
  return Buffer.from(JSON.stringify({
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{ tool: { driver: { name: 'BenchScan', version: '1.0', rules } }, properties: { purl: 'pkg:npm/bench-target' }, results }],
  }));
}

const ms = (t: number) => `${Math.round(t)} ms`;

export async function benchIngest(): Promise<void> {
  const body = sarifUpload(N);
  console.log(`ingest: a SARIF log of ${N} results (${(body.length / 1024 / 1024).toFixed(1)} MiB), ${Math.floor(N / 5)} repeating earlier results`);
  const pool = new FindingParsePool();
  try {
    await pool.parse({ kind: 'files', files: [{ path: 'warm-up', body }] });
    const t = performance.now();
    const parsed = await pool.parse({ kind: 'files', files: [{ path: 'bench.sarif', body }] });
    console.log(`  parse + schema check + normalise, worker thread (warm): ${ms(performance.now() - t)} (${parsed.files[0]!.entries.length} entries)`);
  } finally {
    await pool.close();
  }
  for (const driver of DRIVERS) {
    let c;
    try {
      c = await testContainer(driver);
    } catch (err) {
      console.log(`  ${driver}: not measured: ${err instanceof Error ? err.message : String(err)}`);
      continue;
    }
    try {
      for (const [run, what] of [[1, 'cold worker'], [2, 'warm worker']] as const) {
        const org = (await c.services.organisations.create(sys, { name: `Bench lab ${run}`, kind: 'ai-developer' })).id;
        const t = performance.now();
        const out = await c.services.findings.importDocuments(sys, { organisationId: org, files: [{ path: 'bench.sarif', body }] });
        const took = performance.now() - t;
        console.log(`  ${driver} upload ${run} (${what}): ${ms(took)}: received ${out.received}, created ${out.created}, duplicates ${out.duplicates}, rejected ${out.rejected.length}${took > 10_000 ? '  (over the 10 s target)' : ''}`);
      }
    } finally {
      await c.destroy();
    }
  }
}
