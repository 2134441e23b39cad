import type { DemoContext } from './demo-seed-context.ts';

/** `seed --demo`, issue 9: the demo threads (see demo-seed-context.ts). */
export async function seedDemoThreads(_ctx: DemoContext): Promise<void> {}
