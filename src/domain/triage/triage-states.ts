/**
 * The triage life cycle of a finding (issue 9). `new` -> `triaging` -> one of the outcomes. An outcome can be
 * reopened to `triaging` (a reproduction fails on a second look, a duplicate turns out distinct), never jumped
 * straight from one outcome to another, so every conclusion in the history follows a recorded look at the finding.
 */
export const TRIAGE_STATES = ['new', 'triaging', 'reproduced', 'not-reproduced', 'duplicate', 'out-of-scope'] as const;
export type TriageState = (typeof TRIAGE_STATES)[number];

export const OUTCOMES: readonly TriageState[] = ['reproduced', 'not-reproduced', 'duplicate', 'out-of-scope'];

const NEXT: Record<TriageState, readonly TriageState[]> = {
  new: ['triaging', 'duplicate', 'out-of-scope'],
  triaging: OUTCOMES,
  reproduced: ['triaging'],
  'not-reproduced': ['triaging'],
  duplicate: ['triaging'],
  'out-of-scope': ['triaging'],
};

export const NOTE_MAX = 4000;

export const isTriageState = (s: string): s is TriageState => (TRIAGE_STATES as readonly string[]).includes(s);

export function allowedNext(from: TriageState): readonly TriageState[] {
  return NEXT[from];
}

/** Null when the move is allowed, else why not (naming both states). */
export function transitionProblem(from: string, to: string): string | null {
  if (!isTriageState(to)) return `"${to}" is not a triage state (one of ${TRIAGE_STATES.join(', ')})`;
  if (!isTriageState(from)) return `the finding is in an unknown state "${from}"`;
  if (from === to) return `the finding is already ${to}`;
  if (!NEXT[from].includes(to)) return `a finding cannot move from ${from} to ${to} (from ${from}: ${NEXT[from].join(', ')})`;
  return null;
}
