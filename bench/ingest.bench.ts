/**
 * Ingest benchmark: uploads one large CycloneDX SBOM to a real server (loopback HTTP, a fresh database) and probes
 * /healthz back to back while it runs, to show whether the event loop stays responsive. Prints figures, asserts
 * nothing.
 *
 *   npm run bench:ingest
 *   BENCH_INGEST_COMPONENTS=100000 BENCH_DRIVERS=sqlite,postgres npm run bench:ingest
 *
 * Env: BENCH_INGEST_COMPONENTS (default 400,000: a ~49.6 MB document, just under the 50 MiB upload limit),
 * BENCH_INGEST_FORMAT (`json` or `xml`), BENCH_DRIVERS (default `sqlite`), BENCH_SBOM_WORKERS=0 to parse on the
 * request thread (the old behaviour, for comparison).
 */
import { systemPrincipal } from '../src/services/principal.ts';
import type { Driver } from '../src/store/db.ts';
import { startTestServer } from '../test/helpers/server.ts';

const COMPONENTS = Number(process.env.BENCH_INGEST_COMPONENTS ?? 400_000);
const FORMAT = (process.env.BENCH_INGEST_FORMAT ?? 'json') as 'json' | 'xml';
const DRIVERS = (process.env.BENCH_DRIVERS ?? 'sqlite').split(',').map((d) => d.trim()) as Driver[];
const WORKERS = process.env.BENCH_SBOM_WORKERS !== '0';

function sbom(n: number): string {
  const eco = ['npm', 'pypi', 'maven', 'golang'];
  const purl = (i: number) => {
    const e = eco[i % 4]!;
    const v = `${i % 7}.${i % 13}.${i % 29}`;
    return e === 'maven' ? `pkg:maven/org.example.group${i % 97}/artifact-${i}@${v}` : e === 'golang' ? `pkg:golang/github.com/example/mod-${i}@v${v}` : `pkg:${e}/package-number-${i}@${v}`;
  };
  if (FORMAT === 'xml') {
    const parts = ['<?xml version="1.0" encoding="UTF-8"?><bom xmlns="http://cyclonedx.org/schema/bom/1.5" version="1"><components>'];
    for (let i = 0; i < n; i++) parts.push(`<component type="library" bom-ref="ref-${i}"><name>component-${i}</name><purl>${purl(i)}</purl></component>`);
    parts.push('</components></bom>');
    return parts.join('');
  }
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(JSON.stringify({ 'bom-ref': `ref-${i}`, type: 'library', name: `component-${i}`, purl: purl(i) }));
  return `{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[${parts.join(',')}]}`;
}

const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.max(0, Math.ceil((p / 100) * xs.length) - 1))] ?? NaN;

async function run(driver: Driver, body: string): Promise<void> {
  const server = await startTestServer({ driver, listen: true, sbomWorkers: WORKERS });
  try {
    const { services } = server.container;
    const sys = systemPrincipal('cli');
    const org = (await services.organisations.create(sys, { name: 'Bench Org', kind: 'vendor' })).id;
    const { user } = await services.users.create(sys, { email: 'bench@ingest.example', name: 'bench', password: 'ingest bench passphrase', memberships: [{ organisationId: org, roles: ['member'] }] });
    const { secret } = await services.tokens.create(sys, { name: 'bench', scopes: ['read', 'write'], forUserId: user.id });

    // A first, tiny upload starts the worker thread (it compiles the TypeScript it runs), so the timed one is warm.
    const w0 = performance.now();
    const warm = await fetch(`${server.url}/api/v1/inventories?name=warm-up&organisationId=${org}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: '{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[]}',
    });
    await warm.text();
    console.log(`  ${driver.padEnd(8)} warm-up upload (starts the worker): HTTP ${warm.status} in ${((performance.now() - w0) / 1000).toFixed(2)} s`);

    // Baseline: /healthz on an idle server.
    const idle: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t = performance.now();
      await (await fetch(`${server.url}/healthz`)).text();
      idle.push(performance.now() - t);
    }
    idle.sort((a, b) => a - b);

    let uploading = true;
    const during: number[] = [];
    let slowest = { ms: 0, at: 0 };
    const t0 = performance.now();
    const probe = (async () => {
      while (uploading) {
        const t = performance.now();
        await (await fetch(`${server.url}/healthz`)).text();
        const ms = performance.now() - t;
        during.push(ms);
        if (ms > slowest.ms) slowest = { ms, at: t - t0 };
      }
    })();
    const res = await fetch(`${server.url}/api/v1/inventories?name=bench&organisationId=${org}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': FORMAT === 'xml' ? 'application/vnd.cyclonedx+xml' : 'application/json' },
      body,
    });
    const answer = (await res.json()) as { componentCount?: number; detail?: string };
    const uploadMs = performance.now() - t0;
    uploading = false;
    await probe;
    during.sort((a, b) => a - b);
    console.log(`  ${driver.padEnd(8)} ${FORMAT} ${(body.length / 1e6).toFixed(1)} MB, ${COMPONENTS} components, workers ${WORKERS ? 'on' : 'off'}: HTTP ${res.status} (${answer.componentCount ?? answer.detail} stored) in ${(uploadMs / 1000).toFixed(2)} s`);
    console.log(`           /healthz idle p50 ${pct(idle, 50).toFixed(1)} ms p99 ${pct(idle, 99).toFixed(1)} ms; during upload: ${during.length} probes, p50 ${pct(during, 50).toFixed(1)} ms, p99 ${pct(during, 99).toFixed(1)} ms, max ${pct(during, 100).toFixed(1)} ms (the slowest began ${(slowest.at / 1000).toFixed(1)} s into the upload)`);
  } finally {
    await server.close();
  }
}

const body = sbom(COMPONENTS);
console.log(`ingest bench: one upload while /healthz is probed back to back (${COMPONENTS} components)`);
for (const d of DRIVERS) await run(d, body);
