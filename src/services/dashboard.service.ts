import type { Services } from '../composition.ts';
import type { ServiceDeps } from './context.ts';
import type { JobHandler } from './outbox-worker.ts';

/** Coverage you can see (issue 10): the coordinator's and the operator's dashboards, the daily remediation rollup (docs/dashboards.md). */
export class DashboardService {
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
