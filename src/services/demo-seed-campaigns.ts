import type { DemoContext } from './demo-seed-context.ts';

/** `seed --demo`, issue 9: the demo campaigns (see demo-seed-context.ts). */
export async function seedDemoCampaigns(_ctx: DemoContext): Promise<void> {}
