import type { Kysely } from 'kysely';

/**
 * The dashboards' daily trend (issue 10, docs/dashboards.md) keyed by what the coordinators may all read, instead of
 * per organisation.
 *
 * Per organisation, the rollup of 20261206T1300 could not obey the label policy: one organisation's counts mixed its
 * AMBER inventories (coordinators read them) with its RED ones (nobody outside reads them), and advisories hidden
 * from coordinators with visible ones. Its 10,000 organisations x severities x days were also millions of rows for
 * one chart. Each row now counts only inventory findings of inventories and advisories that every coordinator may
 * read (the read rule of a coordinator holding no need-to-know role, `CLEARINGHOUSE_AUDIENCE` in
 * src/domain/policy/dashboard.policy.ts), so any coordinator may see any row; a relabel or a deletion that takes
 * something out of that set rebuilds the history, so no row keeps counting it.
 *
 * - day: the UTC date (YYYY-MM-DD) whose end the counts describe;
 * - sector, criticality: the asset's, or 'unspecified';
 * - severity: the inventory finding's;
 * - open_count: affected and not remediated at the end of the day;
 * - resolved_count: remediated by the end of the day (upgraded, removed, or analysed `resolved`).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('remediation_daily').execute();
  await db.schema
    .createTable('remediation_daily')
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('sector', 'text', (c) => c.notNull())
    .addColumn('criticality', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('open_count', 'integer', (c) => c.notNull())
    .addColumn('resolved_count', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('remediation_daily_pk', ['day', 'sector', 'criticality', 'severity'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('remediation_daily').execute();
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
