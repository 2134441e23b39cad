/**
 * `clearinghouse seed --demo`: a scenario a newcomer can explore, built only through the services (the same checks,
 * audit entries and events as any user's work): a government coordinator, two AI developers, a vendor and operators in
 * energy, water, health and finance, each with an administrator; operators' inventories from the shared SBOMs; the
 * shared OSV archives mirrored in; a draft and an embargoed advisory. It refuses an instance that holds anything, so it
 * can never mix invented people into real data.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Container } from '../composition.ts';
import { ConflictError } from '../domain/errors.ts';
import type { CiSector, OrganisationKind, Principal } from '../domain/policy/access-label.ts';
import { itemsOfPaths, type ImportProblem } from '../formats/advisory-import-source.ts';
import { anyUserExists } from '../store/user.repository.ts';
import type { ImportSummary } from './advisory.service.ts';
import { loadPrincipal } from './principal.ts';
import type { DemoContext } from './demo-seed-context.ts';
import { seedDemoCampaigns } from './demo-seed-campaigns.ts';
import { seedDemoFindings } from './demo-seed-findings.ts';
import { seedDemoTriage } from './demo-seed-triage.ts';
import { seedDemoCases } from './demo-seed-cases.ts';
import { seedDemoThreads } from './demo-seed-threads.ts';
import { seedDemoRemediation } from './demo-seed-remediation.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const DEMO_SOURCES = {
  sharedSbom: join(REPO, '../shared/data/sbom'),
  bundledSbom: join(REPO, 'test/fixtures/sbom-demo'),
  sharedOsv: join(REPO, '../shared/data/osv'),
  bundledOsv: join(REPO, 'test/fixtures/osv'),
};

export const DEMO_EMAIL_DOMAIN = 'demo.clearinghouse.local';

interface DemoOrg {
  key: string;
  name: string;
  kind: OrganisationKind;
  sectors?: CiSector[];
  user: string;
}

const ORGS: DemoOrg[] = [
  { key: 'coordinator', name: 'National Coordination Centre (demo)', kind: 'government', user: 'Gita Coordinator' },
  { key: 'ai-lab-1', name: 'Frontier Lab North (demo)', kind: 'ai-developer', user: 'Ada Developer' },
  { key: 'ai-lab-2', name: 'Frontier Lab South (demo)', kind: 'ai-developer', user: 'Alan Developer' },
  { key: 'vendor', name: 'Widgetworks Software (demo)', kind: 'vendor', user: 'Vera Vendor' },
  { key: 'energy', name: 'Northern Grid Power (demo)', kind: 'infrastructure-operator', sectors: ['energy'], user: 'Erin Energy' },
  { key: 'water', name: 'Riverside Water Authority (demo)', kind: 'infrastructure-operator', sectors: ['water-and-wastewater'], user: 'Walt Water' },
  { key: 'health', name: 'St. Example Hospital Group (demo)', kind: 'infrastructure-operator', sectors: ['healthcare-and-public-health'], user: 'Hana Health' },
  { key: 'finance', name: 'Example Savings Bank (demo)', kind: 'infrastructure-operator', sectors: ['financial-services'], user: 'Finn Finance' },
];
const OPERATORS = ['energy', 'water', 'health', 'finance'];

export interface DemoSeedOptions {
  /** Folder of SBOMs (CycloneDX JSON/XML, SPDX JSON); default ../shared/data/sbom, else the bundled ones. */
  sbomDir?: string;
  /** OSV files, folders or zips to mirror; default the shared zips, else the bundled records. */
  osvPaths?: string[];
  onProgress?: (step: string) => void;
}

export interface DemoSeedResult {
  organisations: { id: string; name: string; kind: OrganisationKind; sectors: CiSector[] }[];
  users: { email: string; name: string; organisation: string; siteAdmin: boolean; oneTimePassword: string }[];
  inventories: { id: string; name: string; organisation: string; source: string; components: number }[];
  import: ImportSummary & { sources: string[] };
  advisories: { id: string; state: string; organisation: string; tlp: string; embargoUntil: string | null; sharedWith: string[] }[];
  /** What the intake and disclosure parts made (campaigns, findings, a case), one line each. */
  intake: string[];
}

export class InstanceNotEmptyError extends ConflictError {}

/** Why the instance is not empty (names what was found), or null: no users, organisations or advisories. */
export async function nonEmptyReason(c: Container, cli: Principal): Promise<string | null> {
  // The first start's own work (one administrator in the operators' organisation, nothing else) still counts as
  // empty: a newcomer runs `npm start` before reading about the demo.
  const orgs = (await c.services.organisations.list(cli, { limit: 2 })).items;
  const users = (await c.services.users.list(cli, { limit: 2 })).items;
  const onlyFirstStart = orgs.length === 1 && orgs[0]!.name === c.config.adminOrganisation && users.length === 1 && users[0]!.email === c.config.adminEmail
    && (await c.services.inventories.list(cli, { limit: 1 })).items.length === 0;
  if (!onlyFirstStart) {
    if (await anyUserExists(c.deps.db)) return 'it already has users';
    if (orgs.length) return 'it already has organisations';
  }
  if ((await c.services.advisories.list(cli, { limit: 1 })).items.length) return 'it already has advisories';
  return null;
}

function sbomFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => /\.(json|xml)$/i.test(f) && !f.startsWith('.')).sort().map((f) => join(dir, f));
}

function defaultOsvPaths(): string[] {
  if (existsSync(DEMO_SOURCES.sharedOsv)) {
    const zips = readdirSync(DEMO_SOURCES.sharedOsv).filter((f) => f.endsWith('.zip')).sort().map((f) => join(DEMO_SOURCES.sharedOsv, f));
    if (zips.length) return zips;
  }
  return [DEMO_SOURCES.bundledOsv];
}

export async function seedDemo(c: Container, cli: Principal, opts: DemoSeedOptions = {}): Promise<DemoSeedResult> {
  const why = await nonEmptyReason(c, cli);
  if (why) throw new InstanceNotEmptyError(`seed --demo fills an empty instance only, and this one is not empty: ${why}; use a fresh --data folder (or database)`);
  const step = opts.onProgress ?? (() => {});
  const s = c.services;
  const result: DemoSeedResult = { organisations: [], users: [], inventories: [], import: { added: 0, updated: 0, unchanged: 0, rejected: [], sources: [] }, advisories: [], intake: [] };
  const ids = new Map<string, string>();
  const userIds = new Map<string, string>();

  step('organisations and users');
  for (const o of ORGS) {
    const org = await s.organisations.create(cli, { name: o.name, kind: o.kind, ...(o.sectors ? { sectors: o.sectors } : {}), label: { tlp: 'GREEN' } });
    ids.set(o.key, org.id);
    result.organisations.push({ id: org.id, name: o.name, kind: o.kind, sectors: o.sectors ?? [] });
    const email = `${o.key}@${DEMO_EMAIL_DOMAIN}`;
    // The coordinator's administrator also administers the site, so a newcomer has one account that sees everything.
    const siteAdmin = o.key === 'coordinator';
    const { user, oneTimePassword } = await s.users.create(cli, { email, name: o.user, siteAdmin, memberships: [{ organisationId: org.id, roles: ['admin', 'member'] }] });
    result.users.push({ email: user.email, name: o.user, organisation: o.name, siteAdmin, oneTimePassword: oneTimePassword! });
    userIds.set(o.key, user.id);
  }

  step('inventories');
  const sbomDir = opts.sbomDir ?? (existsSync(DEMO_SOURCES.sharedSbom) ? DEMO_SOURCES.sharedSbom : DEMO_SOURCES.bundledSbom);
  const files = sbomFiles(sbomDir);
  // Round-robin over the operators so each sector holds at least one inventory when there are four or more SBOMs.
  for (const [i, file] of files.entries()) {
    const key = OPERATORS[i % OPERATORS.length]!;
    const org = ORGS.find((o) => o.key === key)!;
    const name = file.split('/').pop()!.replace(/\.(cdx|spdx)?\.?(json|xml)$/i, '');
    const inv = await s.inventories.create(cli, {
      name: `${name} (${key})`,
      organisationId: ids.get(key)!,
      label: { tlp: 'AMBER' },
      body: readFileSync(file),
      media: file.toLowerCase().endsWith('.xml') ? 'xml' : 'json',
    });
    result.inventories.push({ id: inv.id, name: inv.name, organisation: org.name, source: file, components: inv.componentCount });
  }

  step('public advisories');
  const osvPaths = opts.osvPaths ?? defaultOsvPaths();
  const problems: ImportProblem[] = [];
  const imported = await s.advisories.importRecords(cli, itemsOfPaths(osvPaths, problems));
  result.import = { ...imported, rejected: [...problems, ...imported.rejected], sources: osvPaths };

  step('authored advisories');
  const vendor = ids.get('vendor')!;
  // Authored as the vendor's administrator (the CLI acting for them): a site administrator outside the owning
  // organisation does not see, so cannot publish, an embargoed advisory. The one-time password stays unchanged.
  const author = await loadPrincipal(c.deps.db, userIds.get('vendor')!, 'cli');
  if (!author) throw new Error('the demo vendor user vanished while seeding');
  const vendorAdmin: Principal = { ...author, mustChangePassword: false };
  const draft = await s.advisories.create(vendorAdmin, {
    organisationId: vendor,
    label: { tlp: 'GREEN' },
    record: {
      summary: 'Widgetworks Gateway: authentication bypass in the admin console (draft)',
      details: 'A crafted session cookie is accepted by the admin console of Widgetworks Gateway before 2.4.1. Demo data.',
      affected: [{ package: { ecosystem: 'npm', name: 'widgetworks-gateway' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '2.4.1' }] }] }],
      severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
      references: [{ type: 'WEB', url: 'https://example.com/widgetworks/advisories/gateway-auth' }],
    },
  });
  result.advisories.push({ id: draft.id, state: draft.state, organisation: draft.organisationName, tlp: draft.label.tlp, embargoUntil: null, sharedWith: [] });

  // Embargoed for 30 days, shared with the energy operator: the coordinator and that operator read it, others do not.
  const embargoUntil = new Date(c.deps.clock.now().getTime() + 30 * 86_400_000).toISOString();
  const embargoed = await s.advisories.create(vendorAdmin, {
    organisationId: vendor,
    label: { tlp: 'AMBER', embargoUntil, sharedWith: [ids.get('energy')!] },
    record: {
      summary: 'Widgetworks SCADA bridge: remote code execution through the Modbus gateway (embargoed)',
      details: 'Widgetworks SCADA bridge before 5.0.3 deserialises untrusted frames. Coordinated with grid operators; public on the embargo date. Demo data.',
      affected: [{ package: { ecosystem: 'PyPI', name: 'widgetworks-scada-bridge' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '5.0.3' }] }] }],
      severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H' }],
    },
  });
  const published = await s.advisories.publish(vendorAdmin, embargoed.id, embargoed.version);
  result.advisories.push({ id: published.id, state: published.state, organisation: published.organisationName, tlp: published.label.tlp, embargoUntil: published.label.embargoUntil, sharedWith: published.label.sharedWith });

  // Issue 9: each part acts as the demo organisations' administrators, in the order the parts build on each other.
  const actors = new Map<string, Principal>();
  for (const o of ORGS) {
    const p = await loadPrincipal(c.deps.db, userIds.get(o.key)!, 'cli');
    if (!p) throw new Error(`the demo user of ${o.key} vanished while seeding`);
    actors.set(o.key, { ...p, mustChangePassword: false });
  }
  const ctx: DemoContext = { c, orgs: ids, actors, findings: new Map(), cases: new Map(), lines: result.intake };
  step('scanning campaigns');
  await seedDemoCampaigns(ctx);
  step('findings');
  await seedDemoFindings(ctx);
  await seedDemoTriage(ctx);
  step('a coordinated disclosure case');
  await seedDemoCases(ctx);
  await seedDemoThreads(ctx);
  step('remediation: asset metadata, inventory findings, analyses, a history');
  await seedDemoRemediation(ctx);
  return result;
}

/** What `seed --demo` prints: the accounts first (their passwords are shown once), then what was made. */
export function formatDemoSeed(r: DemoSeedResult): string {
  const lines = ['Demo data created.', '', 'Accounts (one-time passwords; each must be changed at first sign-in):'];
  for (const u of r.users) lines.push(`  ${u.email.padEnd(40)} ${u.oneTimePassword}  ${u.organisation}${u.siteAdmin ? ' (site administrator)' : ''}`);
  lines.push('', 'Organisations:');
  for (const o of r.organisations) lines.push(`  ${o.name} — ${o.kind}${o.sectors.length ? ` (${o.sectors.join(', ')})` : ''}`);
  lines.push('', 'Inventories:');
  for (const i of r.inventories) lines.push(`  ${i.name} — ${i.organisation}, ${i.components} components`);
  lines.push('', `Public advisories mirrored from ${r.import.sources.length} source(s): ${r.import.added} added, ${r.import.rejected.length} rejected`);
  lines.push('', 'Authored advisories:');
  for (const a of r.advisories) lines.push(`  ${a.id} — ${a.state}, TLP:${a.tlp}${a.embargoUntil ? `, embargoed until ${a.embargoUntil}` : ''}, ${a.organisation}`);
  if (r.intake.length) lines.push('', 'Intake and disclosure:', ...r.intake.map((l) => `  ${l}`));
  return `${lines.join('\n')}\n`;
}
