import { readFileSync } from 'node:fs';
import { NotFoundError } from '../domain/errors.ts';
import type { SsvcPoints } from '../domain/ssvc/ssvc-coordinator.ts';
import type { TriageState } from '../domain/triage/triage-states.ts';
import type { DemoContext } from './demo-seed-context.ts';

/** The bundled three-entry KEV catalogue (test/fixtures/kev/README.md): log4j, Citrix Bleed, a Git flaw. */
export const DEMO_KEV = new URL('../../test/fixtures/kev/kev-small.json', import.meta.url);

interface Plan {
  moves: { to: TriageState; note: string }[];
  cvss4?: string;
  cvss3?: string;
  ssvc?: SsvcPoints;
}

/**
 * What the coordinator does with the demo findings, in the order the findings part made them: the first is
 * reproduced and urgent (Act), the second under way (Attend), the third not reproduced, the fourth out of scope;
 * the rest stay new, so the queue shows every stage.
 */
const PLANS: Plan[] = [
  {
    moves: [
      { to: 'triaging', note: 'Reproducing against the version named in the report.' },
      { to: 'reproduced', note: 'Reproduced on a lab copy: the request reaches the admin console without a session.' },
    ],
    cvss4: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N',
    ssvc: { exploitation: 'active', automatable: 'yes', technicalImpact: 'total', missionWellbeing: 'high' },
  },
  {
    moves: [{ to: 'triaging', note: 'Asked the reporter for the model and prompt that triggered it.' }],
    cvss3: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N',
    ssvc: { exploitation: 'poc', automatable: 'no', technicalImpact: 'total', missionWellbeing: 'high' },
  },
  {
    moves: [
      { to: 'triaging', note: 'Trying the proof of concept on the current release.' },
      { to: 'not-reproduced', note: 'The current release rejects the input; the report names a version no longer shipped.' },
    ],
  },
  { moves: [{ to: 'out-of-scope', note: 'A test deployment of the scanner vendor itself, not an operator\'s product.' }] },
];

/** `seed --demo`, issue 9: the coordinator imports the bundled KEV catalogue and triages the demo findings. */
export async function seedDemoTriage(ctx: DemoContext): Promise<void> {
  const triage = ctx.c.services.triage;
  const coordinator = ctx.actors.get('coordinator');
  if (!coordinator) throw new Error('the demo coordinator is missing');
  // None of the demo documents names a CVE that CISA lists, so the second lab reports one that is: Log4Shell in the
  // water utility's plant historian, which the KEV import marks as actively exploited with CISA's due date.
  const lab2 = ctx.actors.get('ai-lab-2');
  const lab2Org = ctx.orgs.get('ai-lab-2');
  if (lab2 && lab2Org) {
    const log4shell = await ctx.c.services.findings.create(lab2, {
      organisationId: lab2Org,
      title: 'Plant historian still ships Log4j 2.14: JNDI lookup reachable from the login form',
      description: 'The historian\'s login form logs the user name through Log4j 2.14.1; a ${jndi:ldap://…} user name reaches an outside LDAP server from the plant network. Demo data.',
      cwe: 'CWE-917',
      product: { purl: 'pkg:maven/org.apache.logging.log4j/log4j-core', versions: '<2.15.0', name: 'Plant historian', ...(ctx.orgs.get('water') ? { organisationId: ctx.orgs.get('water')! } : {}) },
      location: 'historian/login',
      aliases: ['CVE-2021-44228'],
      label: { tlp: 'AMBER' },
      source: 'form',
    });
    ctx.findings.set('kev-log4shell', log4shell.finding.id);
  }

  // KEV first: a finding with a KEV CVE alias is actively exploited whatever the coordinator answers next.
  const kev = await triage.importKev(coordinator, readFileSync(DEMO_KEV));
  const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  ctx.lines.push(`CISA KEV catalogue (bundled excerpt, ${kev.entries} entries) imported: ${count(kev.findings, 'finding', 'findings')} and ${count(kev.advisories, 'advisory', 'advisories')} marked actively exploited`);

  let triaged = 0;
  const unreadable: string[] = [];
  for (const [i, [name, id]] of [...ctx.findings].entries()) {
    const plan = PLANS[i];
    if (!plan) break;
    try {
      let version = (await ctx.c.services.findings.get(coordinator, id)).version;
      for (const m of plan.moves) version = (await triage.setState(coordinator, id, { state: m.to, note: m.note, version })).version;
      if (plan.cvss4 || plan.cvss3) version = (await triage.setScores(coordinator, id, { ...(plan.cvss4 ? { cvss4: plan.cvss4 } : {}), ...(plan.cvss3 ? { cvss3: plan.cvss3 } : {}), version })).version;
      if (plan.ssvc) await triage.setSsvc(coordinator, id, { ...plan.ssvc, version });
      triaged++;
    } catch (err) {
      // A finding its reporter kept RED is not the coordinator's to read: said, not hidden.
      if (!(err instanceof NotFoundError)) throw err;
      unreadable.push(name);
    }
  }
  ctx.lines.push(`Triage: ${triaged} of ${count(ctx.findings.size, 'demo finding', 'demo findings')} triaged by the coordinator${unreadable.length ? ` (not readable by the coordinator: ${unreadable.join(', ')})` : ''}`);
}
