import type { DemoContext } from './demo-seed-context.ts';

/** `seed --demo`, issue 9: the demo triage (see demo-seed-context.ts). */
export async function seedDemoTriage(_ctx: DemoContext): Promise<void> {}
