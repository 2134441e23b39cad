import type { Services } from '../composition.ts';
import type { ServiceDeps } from './context.ts';

/** Findings intake, de-duplication and evidence (issue 9). */
export class FindingService {
  constructor(
    protected readonly deps: ServiceDeps,
    /** The other services, resolved lazily so this one needs no place in the wiring order. */
    protected readonly peers: () => Services,
  ) {}
}
