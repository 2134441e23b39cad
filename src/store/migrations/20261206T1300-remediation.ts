import type { Kysely } from 'kysely';
import { isPostgres } from '../dialect.ts';

/**
 * Issue 10: matching that acts, and remediation tracking (docs/remediation.md).
 *
 * - inventories: the asset an inventory describes: sector (one of the 16 CISA sectors), criticality (low | medium |
 *   high | critical) and environment (free text such as production, OT, lab); null until the owner says.
 * - inventory_findings: one row per (inventory, package, advisory) that the advisory affects or affected. The key
 *   leaves the installed version out on purpose: a replaced SBOM that still holds a vulnerable version of the same
 *   package keeps the same row, so its first-seen date and its VEX analysis carry over (Dependency-Track's users lose
 *   theirs on every new project version); one that no longer holds it resolves the row (resolved_at, resolution), and
 *   the row reopens if the package comes back. `release_key` is the distro release or '' (both databases treat NULLs
 *   in a unique key as distinct). Named "inventory findings" in code, never "findings" alone: those are issue 9's
 *   reported vulnerabilities.
 * - inventory_finding_events: the row's history: opened, changed (versions, fix, severity), resolved, reopened, and
 *   every VEX analysis with who and when.
 * - advisory_org_notices: per (advisory, organisation) what the organisation was last told (a digest of severity, KEV,
 *   fixes and the affected inventory set), so that re-running changes nothing and a revision that changes any of
 *   them is one new notification saying what changed.
 * - remediation_daily: per day, organisation, sector, criticality and severity the open and resolved counts, written
 *   by a daily outbox job, so the dashboards' trend reads a few thousand rows instead of replaying history.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const isPg = isPostgres(db);
  const serial = (t: any) => t.addColumn('seq', isPg ? 'serial' : 'integer', (c: any) => (isPg ? c.primaryKey() : c.primaryKey().autoIncrement()));

  for (const col of ['sector', 'criticality', 'environment']) await db.schema.alterTable('inventories').addColumn(col, 'text').execute();
  await db.schema.createIndex('inventories_asset').on('inventories').columns(['sector', 'criticality']).execute();

  await serial(db.schema.createTable('inventory_findings'))
    .addColumn('inventory_seq', 'integer', (c: any) => c.notNull().references('inventories.seq').onDelete('cascade'))
    .addColumn('advisory_seq', 'integer', (c: any) => c.notNull().references('advisories.seq').onDelete('cascade'))
    /** The inventory's owner, copied so that per-organisation counts and notifications need no join (inventories never change owner). */
    .addColumn('organisation_id', 'text', (c: any) => c.notNull())
    .addColumn('ecosystem', 'text', (c: any) => c.notNull())
    .addColumn('release_key', 'text', (c: any) => c.notNull())
    /** Canonical package name, as components.name. */
    .addColumn('name', 'text', (c: any) => c.notNull())
    /** The purl of the (lowest) affected component as its SBOM wrote it. */
    .addColumn('purl', 'text', (c: any) => c.notNull())
    /** The lowest affected installed version, and JSON of every affected installed version (usually one). */
    .addColumn('version', 'text', (c: any) => c.notNull())
    .addColumn('versions', 'text', (c: any) => c.notNull())
    /** The lowest fixed version above the installed one, or null; remediation text when the advisory gives no version. */
    .addColumn('fixed', 'text')
    .addColumn('remediation', 'text')
    /** critical | high | medium | low | none | unknown, and its rank (5..0) for ordering. */
    .addColumn('severity', 'text', (c: any) => c.notNull())
    .addColumn('severity_rank', 'integer', (c: any) => c.notNull())
    .addColumn('kev', 'integer', (c: any) => c.notNull().defaultTo(0))
    .addColumn('first_seen', 'text', (c: any) => c.notNull())
    .addColumn('last_seen', 'text', (c: any) => c.notNull())
    .addColumn('resolved_at', 'text')
    /** upgraded (the SBOM no longer holds an affected version) | withdrawn (the advisory) | no-longer-affected (a revision) | removed (the inventory's SBOM dropped the package) */
    .addColumn('resolution', 'text')
    /** The current VEX analysis (CycloneDX 1.6 vocabulary), null until someone answers. */
    .addColumn('analysis_state', 'text')
    .addColumn('analysis_justification', 'text')
    /** JSON array of responses. */
    .addColumn('analysis_response', 'text')
    .addColumn('analysis_detail', 'text')
    .addColumn('analysis_by', 'text')
    .addColumn('analysis_at', 'text')
    .addColumn('version_no', 'integer', (c: any) => c.notNull().defaultTo(1))
    .execute();
  await db.schema
    .createIndex('inventory_findings_key')
    .on('inventory_findings')
    .columns(['inventory_seq', 'advisory_seq', 'ecosystem', 'release_key', 'name'])
    .unique()
    .execute();
  // An advisory's affected set (revision deltas, notifications, per-advisory coverage).
  await db.schema.createIndex('inventory_findings_advisory').on('inventory_findings').columns(['advisory_seq', 'organisation_id']).execute();
  // An inventory's findings page, open ones first by severity.
  await db.schema.createIndex('inventory_findings_inventory').on('inventory_findings').columns(['inventory_seq', 'resolved_at', 'severity_rank', 'seq']).execute();
  // An organisation's dashboard.
  await db.schema.createIndex('inventory_findings_org').on('inventory_findings').columns(['organisation_id', 'resolved_at', 'severity_rank']).execute();

  await serial(db.schema.createTable('inventory_finding_events'))
    .addColumn('finding_seq', 'integer', (c: any) => c.notNull().references('inventory_findings.seq').onDelete('cascade'))
    /** opened | changed | resolved | reopened | analysis */
    .addColumn('kind', 'text', (c: any) => c.notNull())
    /** JSON: what changed (versions, fix, severity), or the analysis. */
    .addColumn('detail', 'text', (c: any) => c.notNull())
    .addColumn('actor', 'text', (c: any) => c.notNull())
    .addColumn('actor_user_id', 'text')
    .addColumn('at', 'text', (c: any) => c.notNull())
    .execute();
  await db.schema.createIndex('inventory_finding_events_finding').on('inventory_finding_events').columns(['finding_seq', 'seq']).execute();

  await db.schema
    .createTable('advisory_org_notices')
    .addColumn('advisory_seq', 'integer', (c) => c.notNull().references('advisories.seq').onDelete('cascade'))
    .addColumn('organisation_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    /** JSON of what the organisation was last told: severity, kev, and per inventory its components with their fix. */
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('notification_id', 'text')
    .addColumn('notified_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('advisory_org_notices_pk', ['advisory_seq', 'organisation_id'])
    .execute();

  await db.schema
    .createTable('remediation_daily')
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('organisation_id', 'text', (c) => c.notNull())
    .addColumn('sector', 'text', (c) => c.notNull())
    .addColumn('criticality', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('open_count', 'integer', (c) => c.notNull())
    .addColumn('resolved_count', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('remediation_daily_pk', ['day', 'organisation_id', 'sector', 'criticality', 'severity'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['remediation_daily', 'advisory_org_notices', 'inventory_finding_events', 'inventory_findings']) await db.schema.dropTable(t).execute();
  await db.schema.dropIndex('inventories_asset').execute();
  for (const col of ['sector', 'criticality', 'environment']) await db.schema.alterTable('inventories').dropColumn(col).execute();
}
