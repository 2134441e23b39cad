import type { DemoContext } from './demo-seed-context.ts';

const DAY = 86_400_000;

/**
 * `seed --demo`, issue 9: a case in progress. The vendor declares the products it answers for; the coordinator opens
 * a case from the demo findings (the findings' reporters join as reporters), adds the vendor, which states that it is
 * affected and then that a fix ships, with its fixed version; the vendor asks for a short extension that waits for the
 * coordinator. The case is recorded in `ctx.cases` for the threads part. Everything goes through the services, as the
 * demo organisations' administrators.
 */
export async function seedDemoCases(ctx: DemoContext): Promise<void> {
  const { services } = ctx.c;
  const coordinator = ctx.actors.get('coordinator');
  const vendorAdmin = ctx.actors.get('vendor');
  const vendor = ctx.orgs.get('vendor');
  const lab = ctx.orgs.get('ai-lab-1');
  if (!coordinator || !vendorAdmin || !vendor || !lab) {
    ctx.lines.push('Case: none (the demo organisations are missing).');
    return;
  }

  // The demo findings the coordinator may read, those about the vendor's gateway first.
  let findings: { id: string; purl: string | null; title: string }[] = [];
  for (const id of ctx.findings.values()) {
    try {
      const f = await services.findings.get(coordinator, id);
      findings.push({ id: f.id, purl: f.product.purl, title: f.title });
    } catch {
      // Not readable by the coordinator: not for this case.
    }
  }
  if (!findings.length) {
    // The findings part made nothing the coordinator reads: one report from the first lab keeps the demo whole.
    const r = await services.findings.create(ctx.actors.get('ai-lab-1') ?? coordinator, {
      organisationId: lab,
      title: 'Widgetworks Gateway: admin console accepts a forged session cookie',
      description: 'An unauthenticated request with a crafted session cookie reaches the admin console. Demo data.',
      product: { purl: 'pkg:npm/widgetworks-gateway', versions: '>=2.0.0 <2.4.1', organisationId: vendor },
      cwe: 'CWE-287',
      location: 'src/admin/session.ts:88',
      aliases: [],
    } as never);
    findings = [{ id: r.finding.id, purl: r.finding.product.purl, title: r.finding.title }];
    ctx.findings.set('case-fallback', r.finding.id);
  }
  findings.sort((a, b) => Number(!!b.purl?.includes('widgetworks')) - Number(!!a.purl?.includes('widgetworks')));
  const chosen = findings.slice(0, 2);

  // What the vendor answers for, so the case suggests it.
  const purls = [...new Set(chosen.map((f) => f.purl).filter((p): p is string => !!p))];
  for (const purlPrefix of purls.length ? purls : ['pkg:npm/widgetworks-gateway']) {
    try {
      await services.cases.declareProduct(vendorAdmin, vendor, { purlPrefix });
    } catch {
      // Declared already (a second seed run).
    }
  }

  const opened = await services.cases.open(coordinator, {
    organisationId: ctx.orgs.get('coordinator'),
    title: `Coordinated disclosure: ${chosen[0]!.title}`.slice(0, 300),
    summary: 'Reported by an AI scanning lab and reproduced by the coordinator. The vendor is preparing a fix; the energy sector is told on the public date. Demo data.',
    findingIds: chosen.map((f) => f.id),
  });
  const suggested = await services.cases.suggestions(coordinator, opened.id);
  const withVendor = await services.cases.addParticipant(coordinator, opened.id, { organisationId: vendor, role: 'vendor' });
  const energy = ctx.orgs.get('energy');
  if (energy) await services.cases.addParticipant(coordinator, opened.id, { organisationId: energy, role: 'observer' });

  let status = await services.cases.setStatus(vendorAdmin, opened.id, vendor, {
    status: 'affected',
    statement: 'Confirmed: versions 2.0.0 to 2.3.x are affected; 1.x has no admin console.',
    mitigations: 'Block /admin at the reverse proxy until the fix is installed.',
  });
  const fixPurl = purls[0] ?? 'pkg:npm/widgetworks-gateway';
  status = await services.cases.setStatus(vendorAdmin, opened.id, vendor, {
    status: 'fixed',
    statement: 'Fixed in 2.4.1 (session cookies are now signed and checked before the admin console is reached).',
    fixedVersions: [{ purl: fixPurl, fixed: '2.4.1' }],
    mitigations: 'Block /admin at the reverse proxy until 2.4.1 is installed.',
    version: status.version,
  });
  const extension = await services.cases.requestExtension(vendorAdmin, opened.id, {
    organisationId: vendor,
    publicDate: new Date(Date.parse(withVendor.publicDate) + 14 * DAY).toISOString(),
    reason: 'Two large grid operators need a maintenance window to roll out 2.4.1.',
  });

  ctx.cases.set('gateway', opened.id);
  ctx.lines.push(
    `Case "${opened.title}" (${opened.id}): ${withVendor.participants + (energy ? 1 : 0)} participants, ${suggested.items.length} suggested vendor(s), vendor status ${status.status}, public date ${opened.publicDate}, an extension request ${extension.state}.`,
  );
}
