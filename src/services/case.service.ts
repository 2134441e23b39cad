import type { Services } from '../composition.ts';
import type { ServiceDeps } from './context.ts';
import type { JobHandler } from './outbox-worker.ts';

/** Coordinated disclosure cases: participants, vendor statuses, the public date, advisories from cases (issue 9). */
export class CaseService {
  constructor(
    protected readonly deps: ServiceDeps,
    /** The other services, resolved lazily so this one needs no place in the wiring order. */
    protected readonly peers: () => Services,
  ) {}

  /** Outbox job kinds this service runs (reminders, publication at the public date). */
  jobHandlers(): Record<string, JobHandler> {
    return {};
  }
}
