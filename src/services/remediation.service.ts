import type { Services } from '../composition.ts';
import type { ServiceDeps } from './context.ts';
import type { JobHandler } from './outbox-worker.ts';

/** Matching that acts (issue 10): inventory findings recorded from advisory and SBOM changes through the outbox, notifications of the affected, escalation (docs/remediation.md). */
export class RemediationService {
  constructor(
    protected readonly deps: ServiceDeps,
    /** The other services, resolved lazily so this one needs no place in the wiring order. */
    protected readonly peers: () => Services,
  ) {}

  /** Outbox job kinds this service runs. */
  jobHandlers(): Record<string, JobHandler> {
    return {};
  }
}
