import type { Container } from '../composition.ts';
import type { Principal } from '../domain/policy/access-label.ts';

/**
 * What `seed --demo` hands to issue 9's parts (campaigns, findings, triage, cases, threads): the demo organisations
 * and an administrator of each, acting through the CLI, so every part is built through its services like a user's
 * work. Keys: coordinator, ai-lab-1, ai-lab-2, vendor, energy, water, health, finance.
 */
export interface DemoContext {
  c: Container;
  /** Organisation id by key. */
  orgs: ReadonlyMap<string, string>;
  /** An administrator of each organisation (password already changed), by key. */
  actors: ReadonlyMap<string, Principal>;
  /** Demo findings by name, filled in by the findings part for the parts after it. */
  findings: Map<string, string>;
  /** Demo cases by name, filled in by the cases part for the threads part. */
  cases: Map<string, string>;
  /** Lines `seed --demo` prints about what each part made. */
  lines: string[];
}
