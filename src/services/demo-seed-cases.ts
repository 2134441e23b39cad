import type { DemoContext } from './demo-seed-context.ts';

/** `seed --demo`, issue 9: the demo cases (see demo-seed-context.ts). */
export async function seedDemoCases(_ctx: DemoContext): Promise<void> {}
