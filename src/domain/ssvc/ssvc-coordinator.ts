/**
 * The CISA coordinator SSVC decision tree, written out leaf by leaf.
 *
 * Source: CISA, "Stakeholder-Specific Vulnerability Categorization Guide" (November 2022), the decision tree figure
 * (Exploitation -> Automatable -> Technical Impact -> Mission & Well-being). Cross-checked against CERT/CC's machine
 * readable copy of the same tree, `data/csv/cisa/cisa_coordinator_2_0_3.csv` in github.com/CERTCC/SSVC: the 36 leaves
 * agree. A table rather than nested ifs so that a reviewer can read every leaf against the guide, and so that the
 * test can prove it complete (every combination once) and unambiguous.
 */
export const EXPLOITATION = ['none', 'poc', 'active'] as const;
export const AUTOMATABLE = ['no', 'yes'] as const;
export const TECHNICAL_IMPACT = ['partial', 'total'] as const;
export const MISSION_WELLBEING = ['low', 'medium', 'high'] as const;
export const DECISIONS = ['Track', 'Track*', 'Attend', 'Act'] as const;

export type SsvcExploitation = (typeof EXPLOITATION)[number];
export type SsvcAutomatable = (typeof AUTOMATABLE)[number];
export type SsvcTechnicalImpact = (typeof TECHNICAL_IMPACT)[number];
export type SsvcMissionWellbeing = (typeof MISSION_WELLBEING)[number];
export type SsvcDecision = (typeof DECISIONS)[number];

export interface SsvcPoints {
  exploitation: SsvcExploitation;
  automatable: SsvcAutomatable;
  technicalImpact: SsvcTechnicalImpact;
  missionWellbeing: SsvcMissionWellbeing;
}

type Leaf = [SsvcExploitation, SsvcAutomatable, SsvcTechnicalImpact, SsvcMissionWellbeing, SsvcDecision];

/** Exploitation, Automatable, Technical Impact, Mission & Well-being -> decision. "poc" is the guide's "public PoC". */
export const SSVC_COORDINATOR_TABLE: readonly Leaf[] = [
  ['none', 'no', 'partial', 'low', 'Track'],
  ['none', 'no', 'partial', 'medium', 'Track'],
  ['none', 'no', 'partial', 'high', 'Track'],
  ['none', 'no', 'total', 'low', 'Track'],
  ['none', 'no', 'total', 'medium', 'Track'],
  ['none', 'no', 'total', 'high', 'Track*'],
  ['none', 'yes', 'partial', 'low', 'Track'],
  ['none', 'yes', 'partial', 'medium', 'Track'],
  ['none', 'yes', 'partial', 'high', 'Attend'],
  ['none', 'yes', 'total', 'low', 'Track'],
  ['none', 'yes', 'total', 'medium', 'Track'],
  ['none', 'yes', 'total', 'high', 'Attend'],
  ['poc', 'no', 'partial', 'low', 'Track'],
  ['poc', 'no', 'partial', 'medium', 'Track'],
  ['poc', 'no', 'partial', 'high', 'Track*'],
  ['poc', 'no', 'total', 'low', 'Track'],
  ['poc', 'no', 'total', 'medium', 'Track*'],
  ['poc', 'no', 'total', 'high', 'Attend'],
  ['poc', 'yes', 'partial', 'low', 'Track'],
  ['poc', 'yes', 'partial', 'medium', 'Track'],
  ['poc', 'yes', 'partial', 'high', 'Attend'],
  ['poc', 'yes', 'total', 'low', 'Track'],
  ['poc', 'yes', 'total', 'medium', 'Track*'],
  ['poc', 'yes', 'total', 'high', 'Attend'],
  ['active', 'no', 'partial', 'low', 'Track'],
  ['active', 'no', 'partial', 'medium', 'Track'],
  ['active', 'no', 'partial', 'high', 'Attend'],
  ['active', 'no', 'total', 'low', 'Track'],
  ['active', 'no', 'total', 'medium', 'Attend'],
  ['active', 'no', 'total', 'high', 'Act'],
  ['active', 'yes', 'partial', 'low', 'Attend'],
  ['active', 'yes', 'partial', 'medium', 'Attend'],
  ['active', 'yes', 'partial', 'high', 'Act'],
  ['active', 'yes', 'total', 'low', 'Attend'],
  ['active', 'yes', 'total', 'medium', 'Act'],
  ['active', 'yes', 'total', 'high', 'Act'],
];

const key = (p: SsvcPoints) => `${p.exploitation}|${p.automatable}|${p.technicalImpact}|${p.missionWellbeing}`;
const BY_KEY = new Map(SSVC_COORDINATOR_TABLE.map(([e, a, t, m, d]) => [key({ exploitation: e, automatable: a, technicalImpact: t, missionWellbeing: m }), d]));

/** The decision of one leaf, or null when a point is not one of the tree's values. */
export function ssvcDecision(p: SsvcPoints): SsvcDecision | null {
  return BY_KEY.get(key(p)) ?? null;
}

/** The queue's order key: Act 4, Attend 3, Track* 2, Track 1; 0 means not decided yet. */
export const SSVC_RANK: Record<SsvcDecision, number> = { Track: 1, 'Track*': 2, Attend: 3, Act: 4 };

/** Exploitation as the queue's order key (the findings.exploitation_rank column). */
export const EXPLOITATION_RANK: Record<SsvcExploitation, number> = { none: 0, poc: 1, active: 2 };
