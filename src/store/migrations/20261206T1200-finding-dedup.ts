import type { Kysely } from 'kysely';

/**
 * Coordinators' de-duplication decisions on findings (issue 9, docs/findings.md "Merge and split"):
 * - findings.merged_into: the id of the finding a coordinator merged this one into (this one stays, as state
 *   `duplicate` with no reports, so that its id keeps answering and a split can bring a report back to it).
 * - finding_reports.origin_seq: the finding a report was on before a merge moved it (a split returns it there).
 * - finding_reports.label: JSON `{ tlp, embargoUntil, restricted }` the reporter asked for, so a report split out of a
 *   finding it was linked to at intake becomes a finding under the reporter's own label.
 * - finding_reports.note and decided_by: the coordinator's note and e-mail on a merge or a split.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('findings').addColumn('merged_into', 'text').execute();
  for (const [name, type] of [['origin_seq', 'integer'], ['label', 'text'], ['note', 'text'], ['decided_by', 'text']] as const) {
    await db.schema.alterTable('finding_reports').addColumn(name, type).execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const name of ['origin_seq', 'label', 'note', 'decided_by']) await db.schema.alterTable('finding_reports').dropColumn(name).execute();
  await db.schema.alterTable('findings').dropColumn('merged_into').execute();
}
