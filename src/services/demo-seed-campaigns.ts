import type { DemoContext } from './demo-seed-context.ts';

const pad = (n: number) => String(n).padStart(2, '0');

/** `days` from now, at `hour`:00 in UTC+01:00 (the demo's utilities and labs keep Central European time), as RFC 3339. */
function at(now: Date, days: number, hour: number): string {
  // Midnight of that day in +01:00, then the hour; written with its offset as a lab would write it.
  const local = new Date(now.getTime() + 3_600_000 + days * 86_400_000);
  const day = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate()) + hour * 3_600_000);
  return `${day.getUTCFullYear()}-${pad(day.getUTCMonth() + 1)}-${pad(day.getUTCDate())}T${pad(day.getUTCHours())}:00:00+01:00`;
}

/**
 * `seed --demo`, issue 9: the operators' named assets, three campaigns of the two labs (two of them on the same water
 * utility on the same night, which the coordinator sees flagged; one on hospitals a week later, which is not), and
 * the water utility's opt-out of its treatment plant from the second lab's sweep.
 */
export async function seedDemoCampaigns(ctx: DemoContext): Promise<void> {
  const s = ctx.c.services.campaigns;
  const as = (key: string) => ctx.actors.get(key)!;
  const org = (key: string) => ctx.orgs.get(key)!;
  const now = ctx.c.deps.clock.now();

  const waterInventory = (await ctx.c.services.inventories.list(as('water'), { organisationId: org('water'), limit: 1 })).items[0];
  const plant = await s.createAsset(as('water'), org('water'), {
    name: 'Treatment plant SCADA',
    ranges: ['10.20.0.0/16', '2001:db8:20::/48'],
    ...(waterInventory ? { inventoryId: waterInventory.id } : {}),
  });
  const website = await s.createAsset(as('water'), org('water'), { name: 'Public website', ranges: ['198.51.100.0/24'], label: { tlp: 'GREEN' } });
  await s.createAsset(as('energy'), org('energy'), { name: 'Substation control network', ranges: ['10.40.0.0/16'] });
  await s.createAsset(as('health'), org('health'), { name: 'Imaging network', ranges: ['10.60.0.0/16'] });
  await s.createAsset(as('finance'), org('finance'), { name: 'Branch ATMs', ranges: ['10.80.0.0/16', '2001:db8:80::/48'] });
  ctx.lines.push('Named assets: water (Treatment plant SCADA, Public website), energy, health and finance (one each)');

  const north = await s.create(as('ai-lab-1'), {
    organisationId: org('ai-lab-1'),
    name: 'Night fuzzing of exposed HMIs',
    description: 'Model-guided fuzzing of operator HMIs reachable from the internet; rate-limited to 50 requests per second per host.',
    scope: { organisations: [org('water')], cidrs: ['10.20.0.0/16'] },
    window: { start: at(now, 3, 22), end: at(now, 4, 4) },
    tool: 'fuzzbot 2.1',
    model: 'frontier-north-7b',
    contact: 'soc@frontier-north.example',
    label: { tlp: 'AMBER' },
  });
  const south = await s.create(as('ai-lab-2'), {
    organisationId: org('ai-lab-2'),
    name: 'Water-sector web sweep',
    description: 'Crawling public web front ends of water utilities for known-vulnerable components.',
    scope: { assets: [website.id], cidrs: ['10.20.128.0/17'], sectors: ['water-and-wastewater'] },
    window: { start: at(now, 4, 1), end: at(now, 4, 6) },
    tool: 'sweeper 0.9',
    model: 'frontier-south-70b',
    contact: 'security@frontier-south.example',
    label: { tlp: 'AMBER' },
  });
  const hospitals = await s.create(as('ai-lab-1'), {
    organisationId: org('ai-lab-1'),
    name: 'DICOM gateway survey',
    scope: { sectors: ['healthcare-and-public-health'], cidrs: ['10.60.0.0/16'] },
    window: { start: at(now, 10, 20), end: at(now, 11, 2) },
    tool: 'dicom-probe 1.4',
    model: 'frontier-north-7b',
    contact: 'soc@frontier-north.example',
    label: { tlp: 'AMBER' },
  });
  for (const c of [north, south, hospitals]) ctx.lines.push(`Campaign “${c.name}” by ${c.organisationName}, ${c.window.start} to ${c.window.end}`);
  ctx.lines.push(`Overlap flagged for the coordinator: “${north.name}” and “${south.name}” aim at the water utility on the same night`);

  await s.optOut(as('water'), org('water'), { assetId: plant.id, campaignId: south.id, note: 'Chlorine dosing control: please leave alone, call +44 20 7946 0000 first.' });
  ctx.lines.push(`Opt-out: the water utility's “${plant.name}” out of “${south.name}”`);
}
