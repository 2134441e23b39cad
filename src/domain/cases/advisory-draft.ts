/**
 * The OSV record a coordinator drafts from a case (issue 9): affected packages and fixed versions from the vendors'
 * statements, credits from the reporters (and coordinators), aliases from the findings. Pure: the service gathers
 * the case's parts (only what the drafter may read) and hands them here.
 */
import { componentFromPurl } from '../purl/purl-ecosystem.ts';
import { encodePurlPart } from '../purl/purl.ts';
import type { FixedVersion, VendorStatus } from './vendor-status.ts';

export interface DraftInput {
  caseId: string;
  title: string;
  summary: string;
  findings: { aliases: readonly string[]; purl: string | null }[];
  statuses: { vendor: string; status: VendorStatus; statement: string; fixedVersions: readonly FixedVersion[]; mitigations: string }[];
  reporters: readonly string[];
  coordinators: readonly string[];
  /** Ids of our own advisories start with this: never an alias of a new one. */
  ownPrefix: string;
}

export interface DraftRecord {
  schema_version: string;
  summary: string;
  details: string;
  aliases?: string[];
  affected?: { package: { ecosystem: string; name: string; purl: string }; ranges: { type: 'ECOSYSTEM'; events: Record<string, string>[] }[] }[];
  credits?: { name: string; type: 'FINDER' | 'COORDINATOR' }[];
  database_specific: Record<string, unknown>;
}

const LABEL: Record<VendorStatus, string> = {
  unknown: 'unknown',
  'under-investigation': 'under investigation',
  affected: 'affected',
  'not-affected': 'not affected',
  fixed: 'fixed',
};

/** OSV's identity of a package purl (ecosystem and name as OSV writes them), or null when OSV has no ecosystem for it. */
function osvPackage(purl: string, version: string): { ecosystem: string; name: string } | null {
  try {
    const c = componentFromPurl(`${purl}@${encodePurlPart(version)}`);
    return c.ecosystem === 'GIT' ? null : { ecosystem: c.ecosystem, name: c.name };
  } catch {
    return null;
  }
}

export function draftAdvisoryRecord(input: DraftInput): DraftRecord {
  const affected: NonNullable<DraftRecord['affected']> = [];
  const unmapped: string[] = [];
  const covered = new Set<string>();
  const seen = new Set<string>();
  for (const s of input.statuses) {
    if (s.status !== 'fixed' && s.status !== 'affected') continue;
    for (const f of s.fixedVersions) {
      const key = `${f.purl} ${f.fixed}`;
      if (seen.has(key)) continue;
      seen.add(key);
      covered.add(f.purl);
      const pkg = osvPackage(f.purl, f.fixed);
      if (!pkg) {
        unmapped.push(`${f.purl} (fixed in ${f.fixed})`);
        continue;
      }
      affected.push({ package: { ...pkg, purl: f.purl }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: f.fixed }] }] });
    }
  }
  // A product some vendor says is affected, with no fix named yet: affected from the start, no fixed event.
  if (input.statuses.some((s) => s.status === 'affected')) {
    for (const purl of new Set(input.findings.map((f) => f.purl).filter((p): p is string => !!p))) {
      if (covered.has(purl)) continue;
      const pkg = osvPackage(purl, '0');
      if (!pkg) {
        unmapped.push(purl);
        continue;
      }
      affected.push({ package: { ...pkg, purl }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }] });
    }
  }
  const aliases = [...new Set(input.findings.flatMap((f) => f.aliases).map((a) => a.trim()).filter((a) => a && !a.startsWith(`${input.ownPrefix}-`)))].sort();
  const credits: NonNullable<DraftRecord['credits']> = [
    ...[...new Set(input.reporters)].map((name) => ({ name, type: 'FINDER' as const })),
    ...[...new Set(input.coordinators)].map((name) => ({ name, type: 'COORDINATOR' as const })),
  ];
  const statements = input.statuses
    .filter((s) => s.status !== 'unknown' || s.statement)
    .map((s) => {
      const lines = [`- **${s.vendor}**: ${LABEL[s.status]}.${s.statement ? ` ${s.statement.replace(/\s*\n\s*/g, ' ')}` : ''}`];
      if (s.mitigations) lines.push(`  Mitigations: ${s.mitigations.replace(/\s*\n\s*/g, ' ')}`);
      return lines.join('\n');
    });
  const details = [input.summary.trim(), statements.length ? `## Vendor statements\n\n${statements.join('\n')}` : ''].filter(Boolean).join('\n\n');
  return {
    schema_version: '1.6.0',
    summary: input.title.slice(0, 300),
    details,
    ...(aliases.length ? { aliases } : {}),
    ...(affected.length ? { affected } : {}),
    ...(credits.length ? { credits } : {}),
    database_specific: { clearinghouse_case: input.caseId, ...(unmapped.length ? { clearinghouse_unmapped_packages: unmapped } : {}) },
  };
}
