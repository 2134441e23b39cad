import type { Services } from '../composition.ts';
import type { ServiceDeps } from './context.ts';

/** Triage states, scoring (CVSS, SSVC), the KEV catalogue and the triage queue (issue 9). */
export class TriageService {
  constructor(
    protected readonly deps: ServiceDeps,
    /** The other services, resolved lazily so this one needs no place in the wiring order. */
    protected readonly peers: () => Services,
  ) {}
}
