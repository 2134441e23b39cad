import type { DemoContext } from './demo-seed-context.ts';

/** Issue 10's demo data: asset metadata, inventory findings with analyses, notifications, a remediation history. */
export async function seedDemoRemediation(_ctx: DemoContext): Promise<void> {}
