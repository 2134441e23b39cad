import type { Config } from './config.ts';
import { systemClock, type Clock } from './domain/clock.ts';
import { migrateToLatest, openDatabase, type DatabaseHandle } from './store/db.ts';
import { LocalEventBus, PgEventBus, type EventBus } from './store/event-bus.ts';
import { AdvisoryService } from './services/advisory.service.ts';
import { AffectedService } from './services/affected.service.ts';
import { CsafService } from './services/csaf.service.ts';
import { OsvApiService } from './services/osv-api.service.ts';
import { AuditService } from './services/audit.service.ts';
import { AuthService } from './services/auth.service.ts';
import type { ServiceDeps } from './services/context.ts';
import { InventoryService } from './services/inventory.service.ts';
import { InvitationService } from './services/invitation.service.ts';
import { inProcessSbomParser, SbomWorkerPool, type SbomParser } from './services/sbom-pool.ts';
import { OrganisationService } from './services/organisation.service.ts';
import { OutboxWorker, serverJobHandlers, type JobHandler } from './services/outbox-worker.ts';
import { TokenService } from './services/token.service.ts';
import { UserService } from './services/user.service.ts';
import { FindingService } from './services/finding.service.ts';
import { CampaignService } from './services/campaign.service.ts';
import { TriageService } from './services/triage.service.ts';
import { CaseService } from './services/case.service.ts';
import { CaseThreadService } from './services/case-thread.service.ts';
import { NotificationService } from './services/notification.service.ts';
import { RemediationService } from './services/remediation.service.ts';
import { InventoryFindingService } from './services/inventory-finding.service.ts';
import { DashboardService } from './services/dashboard.service.ts';
import { AttachmentService } from './services/attachment.service.ts';
import { FindingParsePool, inProcessFindingParser, type FindingParser } from './services/workers/finding-parse.pool.ts';

export interface Services {
  auth: AuthService;
  organisations: OrganisationService;
  users: UserService;
  tokens: TokenService;
  audit: AuditService;
  inventories: InventoryService;
  affected: AffectedService;
  invitations: InvitationService;
  advisories: AdvisoryService;
  osvApi: OsvApiService;
  csaf: CsafService;
  findings: FindingService;
  campaigns: CampaignService;
  triage: TriageService;
  cases: CaseService;
  caseThreads: CaseThreadService;
  notifications: NotificationService;
  remediation: RemediationService;
  inventoryFindings: InventoryFindingService;
  dashboards: DashboardService;
  /** Evidence attachments (findings, case messages): streamed, SHA-256-addressed, size-capped. */
  attachments: AttachmentService;
}

export interface Container {
  config: Config;
  handle: DatabaseHandle;
  deps: ServiceDeps;
  services: Services;
  /** The outbox worker, with every job kind registered; `serve` starts it, `close` stops it. */
  outbox: OutboxWorker;
  close(): Promise<void>;
}

export interface ContainerOptions {
  clock?: Clock;
  events?: EventBus;
  pgSchema?: string;
  passwordHashing?: ServiceDeps['passwordHashing'];
  migrate?: boolean;
  /** Extra job kinds for the outbox worker (tests). */
  jobs?: Record<string, JobHandler>;
  outboxPollMs?: number;
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
  // Uploaded finding documents likewise: worker threads for the server, the calling thread for the CLI.
  const findingParser: FindingParser = opts.sbomWorkers === false ? inProcessFindingParser : new FindingParsePool();
  const inventories = new InventoryService(deps, sbomParser);
  const organisations = new OrganisationService(deps);
  const users = new UserService(deps);
  const invitations = new InvitationService(deps, organisations);
  // Outside users join by invitation; the two services that add people hand those cases to it.
  organisations.useInvitations(invitations);
  users.useInvitations(invitations);
  const advisories = new AdvisoryService(deps, { prefix: config.advisoryPrefix });
  // Issue 9's services reach each other (and the rest) through this, so none depends on the wiring order.
  const peers = (): Services => services;
  const services: Services = {
    auth: new AuthService(deps),
    organisations,
    users,
    tokens: new TokenService(deps),
    audit: new AuditService(deps),
    inventories,
    affected: new AffectedService(deps, inventories),
    invitations,
    advisories,
    // Loads its index on first use (or at `serve`), then follows the event bus.
    osvApi: new OsvApiService(deps, advisories),
    csaf: new CsafService(deps, advisories, {
      // Documents name their own URLs, so a public deployment sets CLEARINGHOUSE_PUBLIC_URL (docs/csaf.md).
      baseUrl: config.publicUrl ?? `http://localhost:${config.port}`,
      providerName: config.adminOrganisation,
      contact: `mailto:${config.adminEmail}`,
    }),
    findings: new FindingService(deps, peers, findingParser),
    campaigns: new CampaignService(deps, peers),
    triage: new TriageService(deps, peers),
    cases: new CaseService(deps, peers, { publicDays: config.casePublicDays, exploitedDays: config.caseExploitedDays }),
    caseThreads: new CaseThreadService(deps, peers),
    notifications: new NotificationService(deps, peers),
    remediation: new RemediationService(deps, peers),
    inventoryFindings: new InventoryFindingService(deps, peers),
    dashboards: new DashboardService(deps, peers),
    attachments: new AttachmentService(deps, { maxBytes: config.attachmentLimitBytes }),
  };
  const outbox = new OutboxWorker(deps.db, deps.clock, opts.outboxPollMs !== undefined ? { pollMs: opts.outboxPollMs } : {});
  for (const [topic, handler] of Object.entries({ ...serverJobHandlers(services), ...opts.jobs })) outbox.handle(topic, handler);
  return {
    config,
    handle,
    deps,
    services,
    outbox,
    async close() {
      await outbox.stop();
      await services.osvApi.close();
      await sbomParser.close();
      await findingParser.close();
      await pgBus?.close();
      await handle.close();
    },
  };
}
