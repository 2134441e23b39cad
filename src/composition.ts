import type { Config } from './config.ts';
import { systemClock, type Clock } from './domain/clock.ts';
import { migrateToLatest, openDatabase, type DatabaseHandle } from './store/db.ts';
import { PgEventBus } from './store/pg-event-bus.ts';
import { AffectedService } from './services/affected.service.ts';
import { AuditService } from './services/audit.service.ts';
import { AuthService } from './services/auth.service.ts';
import type { ServiceDeps } from './services/context.ts';
import { LocalEventBus, type EventBus } from './services/event-bus.ts';
import { InventoryService } from './services/inventory.service.ts';
import { inProcessSbomParser, SbomWorkerPool, type SbomParser } from './services/sbom-pool.ts';
import { OrganisationService } from './services/organisation.service.ts';
import { TokenService } from './services/token.service.ts';
import { UserService } from './services/user.service.ts';

export interface Services {
  auth: AuthService;
  organisations: OrganisationService;
  users: UserService;
  tokens: TokenService;
  audit: AuditService;
  inventories: InventoryService;
  affected: AffectedService;
}

export interface Container {
  config: Config;
  handle: DatabaseHandle;
  deps: ServiceDeps;
  services: Services;
  close(): Promise<void>;
}

export interface ContainerOptions {
  clock?: Clock;
  events?: EventBus;
  pgSchema?: string;
  passwordHashing?: ServiceDeps['passwordHashing'];
  migrate?: boolean;
  /** Parse SBOM uploads in worker threads (the default) or on the calling thread (`false`, e.g. for the CLI). */
  sbomWorkers?: boolean;
}

/** The one place that picks implementations and wires them together. */
export async function createContainer(config: Config, opts: ContainerOptions = {}): Promise<Container> {
  const handle = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, ...(opts.pgSchema ? { pgSchema: opts.pgSchema } : {}) });
  try {
    if (opts.migrate !== false) await migrateToLatest(handle.db);
  } catch (err) {
    await handle.close();
    throw err;
  }
  // Several instances share one PostgreSQL, so their events travel through it; SQLite has one instance.
  const pgBus = !opts.events && handle.pgPool && config.databaseUrl ? await PgEventBus.connect(config.databaseUrl, handle.pgPool) : null;
  const deps: ServiceDeps = {
    db: handle.db,
    driver: handle.driver,
    clock: opts.clock ?? systemClock,
    events: opts.events ?? pgBus ?? new LocalEventBus(),
    ...(opts.passwordHashing ? { passwordHashing: opts.passwordHashing } : {}),
  };
  const sbomParser: SbomParser = opts.sbomWorkers === false ? inProcessSbomParser : new SbomWorkerPool();
  const inventories = new InventoryService(deps, sbomParser);
  const services: Services = {
    auth: new AuthService(deps),
    organisations: new OrganisationService(deps),
    users: new UserService(deps),
    tokens: new TokenService(deps),
    audit: new AuditService(deps),
    inventories,
    affected: new AffectedService(deps, inventories),
  };
  return {
    config,
    handle,
    deps,
    services,
    async close() {
      await sbomParser.close();
      await pgBus?.close();
      await handle.close();
    },
  };
}
