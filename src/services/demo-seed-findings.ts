import { readFileSync } from 'node:fs';
import type { DemoContext } from './demo-seed-context.ts';

const DEMO = (name: string) => new URL(`../../test/fixtures/findings/${name}`, import.meta.url);

/**
 * `seed --demo`, issue 9: the demo findings, made through the FindingService as the demo AI labs' administrators.
 * Real documents bundled in the repository (test/fixtures/findings/demo/README.md and ../README.md: two SARIF logs of
 * AI-generated results from microsoft/sarif-sdk, two AVID reports from avidml/avid-db), so a fresh clone seeds the
 * same findings; plus a finding reported with the form, on the demo vendor's gateway, with a piece of evidence.
 *
 * The second lab reports, in its own words, a vulnerability the first lab's AVID import already holds (TLP:GREEN, so
 * the second lab reads it): intake links it as a duplicate by its CVE alias and credits both labs.
 *
 * `ctx.findings`, in this order (the triage part plans the first four): `gateway-auth-bypass`,
 * `sarif-plan-event-authorization`, `avid-anything-llm`, `sarif-capability-trust-bypass`, `sarif-command-injection`,
 * `sarif-evidence-command-injection`, `avid-container-toolkit` (the one the second lab's duplicate joined).
 */
export async function seedDemoFindings(ctx: DemoContext): Promise<void> {
  const findings = ctx.c.services.findings;
  const lab1 = ctx.actors.get('ai-lab-1');
  const lab2 = ctx.actors.get('ai-lab-2');
  const lab1Org = ctx.orgs.get('ai-lab-1');
  const lab2Org = ctx.orgs.get('ai-lab-2');
  const vendor = ctx.orgs.get('vendor');
  if (!lab1 || !lab2 || !lab1Org || !lab2Org || !vendor) {
    ctx.lines.push('Findings: none (the demo AI labs are missing).');
    return;
  }

  // Reported with the form: the vendor's gateway, with the lab's proof of concept attached.
  const gateway = await findings.create(lab1, {
    organisationId: lab1Org,
    title: 'Widgetworks Gateway: admin console accepts a forged session cookie',
    description:
      'An unauthenticated request carrying a crafted `wg_session` cookie reaches the admin console of Widgetworks Gateway. ' +
      'Found by our model-assisted fuzzing campaign against the gateway\'s public build. Demo data.',
    cwe: 'CWE-287',
    product: { purl: 'pkg:npm/widgetworks-gateway', versions: '>=2.0.0 <2.4.1', organisationId: vendor },
    location: 'src/admin/session.ts:88',
    tool: { name: 'Frontier fuzzer', version: '0.9', model: 'demo-frontier-model' },
    fingerprints: ['session-hash=9f1c2e77'],
    label: { tlp: 'AMBER' },
    source: 'form',
  });
  ctx.findings.set('gateway-auth-bypass', gateway.finding.id);
  await findings.attach(lab1, gateway.finding.id, {
    body: Buffer.from('GET /admin HTTP/1.1\r\nHost: gateway.example\r\nCookie: wg_session=AAAA.forged.demo\r\n\r\n# answered 200 with the admin console (demo data)\n'),
    filename: 'poc-request.txt',
    mediaType: 'text/plain',
  });

  // The first lab's SARIF logs (AI-generated results), TLP:AMBER: the lab and the coordinators read them.
  const sarif = await findings.importDocuments(lab1, {
    organisationId: lab1Org,
    tlp: 'AMBER',
    files: ['demo/AI1012.ProvideRuleSubId_Valid.sarif', 'demo/AI2016.ProvideEvidenceBacking_Valid.sarif'].map((f) => ({ path: f.split('/').pop()!, body: readFileSync(DEMO(f)) })),
  });
  // AVID reports of AI supply-chain flaws, TLP:GREEN: the whole community (the second lab included) reads them.
  const avid = await findings.importDocuments(lab1, {
    organisationId: lab1Org,
    tlp: 'GREEN',
    files: ['avid/AVID-2026-R0001.json', 'avid/AVID-2026-R0002.json'].map((f) => ({ path: f.split('/').pop()!, body: readFileSync(DEMO(f)) })),
  });

  // Named from what was stored (the import answers counts; each finding carries its document's own words).
  const db = ctx.c.deps.db;
  const mine = await db.selectFrom('findings').select(['id', 'title', 'source', 'cwe', 'aliases']).where('reporter_org_id', '=', lab1Org).orderBy('seq').execute();
  const pick = (key: string, test: (f: (typeof mine)[number]) => boolean) => {
    const f = mine.find((x) => test(x) && ![...ctx.findings.values()].includes(x.id));
    if (f) ctx.findings.set(key, f.id);
  };
  pick('sarif-plan-event-authorization', (f) => f.source === 'sarif' && f.cwe === 'CWE-862');
  pick('avid-anything-llm', (f) => f.source === 'avid' && f.aliases.includes('CVE-2024-10109'));
  pick('sarif-capability-trust-bypass', (f) => f.source === 'sarif' && f.title === 'CapabilityTrustBypass');
  pick('sarif-command-injection', (f) => f.source === 'sarif' && f.cwe === 'CWE-78');
  pick('sarif-evidence-command-injection', (f) => f.source === 'sarif' && f.cwe === 'CWE-78');
  pick('avid-container-toolkit', (f) => f.source === 'avid' && f.aliases.includes('CVE-2024-0132'));

  // The second lab finds the NVIDIA Container Toolkit flaw too: linked by its CVE, both labs credited.
  const dup = await findings.create(lab2, {
    organisationId: lab2Org,
    title: 'Container escape from a crafted image in NVIDIA Container Toolkit',
    description: 'A container image built by our agent reached the host file system through a TOCTOU race in the toolkit\'s mount handling. Demo data.',
    cwe: 'CWE-367',
    product: { name: 'NVIDIA Container Toolkit', versions: '<= 1.16.1' },
    aliases: ['CVE-2024-0132'],
    label: { tlp: 'AMBER' },
    source: 'form',
  });

  const n = (x: number, one: string, many: string) => `${x} ${x === 1 ? one : many}`;
  ctx.lines.push(
    `Findings: ${n(1 + sarif.created + avid.created, 'finding', 'findings')} reported by ${n(1, 'form', 'forms')}, ${n(2, 'SARIF log', 'SARIF logs')} (${sarif.received} results) and ${n(2, 'AVID report', 'AVID reports')}; ` +
      `${dup.created ? 'the second lab\'s report was NOT linked (unexpected)' : `the second lab's report of ${dup.duplicate!.matched} linked to the first lab's finding (${dup.duplicate!.reason})`}`,
  );
}
