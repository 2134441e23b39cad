import type { Services } from '../composition.ts';
import type { ServiceDeps } from './context.ts';
import type { JobHandler } from './outbox-worker.ts';

/** Inventory findings answered (issue 10): the findings API of an inventory, VEX analyses with history, VEX export and import (docs/vex.md). */
export class InventoryFindingService {
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
