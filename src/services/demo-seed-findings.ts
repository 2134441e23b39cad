import type { DemoContext } from './demo-seed-context.ts';

/** `seed --demo`, issue 9: the demo findings (see demo-seed-context.ts). */
export async function seedDemoFindings(_ctx: DemoContext): Promise<void> {}
