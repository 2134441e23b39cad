import type { Kysely } from 'kysely';
import { isPostgres } from '../dialect.ts';

/**
 * Scanning campaigns (issue 9; docs/campaigns.md). A campaign is one labelled row; its scope is one row per target in
 * campaign_targets, shaped for the two questions asked of it in SQL: "does it touch this organisation?" (joined to
 * what the organisation holds) and "which campaigns aim at the same target?" (a self-join on match_key). Network
 * ranges are stored as fixed-width hex bounds, compared as text on both databases.
 *
 * Operators declare named assets (org_assets, labelled like inventories, optionally standing for one inventory) with
 * their ranges (asset_ranges), and opt an asset out of one campaign or all (campaign_opt_outs, scope_key '*').
 */
export async function up(db: Kysely<any>): Promise<void> {
  const isPg = isPostgres(db);
  await db.schema
    .createTable('campaigns')
    .addColumn('seq', isPg ? 'serial' : 'integer', (c) => (isPg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('owner_org_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('tlp', 'text', (c) => c.notNull())
    .addColumn('embargo_until', 'text')
    .addColumn('restricted_role', 'text')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('tool', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('contact', 'text', (c) => c.notNull())
    /** UTC instants for comparison; the *_text columns keep the window as written, with its offset. */
    .addColumn('starts_at', 'text', (c) => c.notNull())
    .addColumn('ends_at', 'text', (c) => c.notNull())
    .addColumn('start_text', 'text', (c) => c.notNull())
    .addColumn('end_text', 'text', (c) => c.notNull())
    /** active | cancelled (scheduled / running / ended follow from the window and the clock). */
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('cancelled_at', 'text')
    .addColumn('cancel_reason', 'text')
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('campaigns_start').on('campaigns').columns(['starts_at', 'seq']).execute();
  await db.schema.createIndex('campaigns_owner').on('campaigns').columns(['owner_org_id', 'starts_at']).execute();
  await db.schema.createIndex('campaigns_state_end').on('campaigns').columns(['state', 'ends_at']).execute();

  await db.schema
    .createTable('campaign_targets')
    .addColumn('campaign_seq', 'integer', (c) => c.notNull().references('campaigns.seq').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    /** organisation | inventory | asset | purl | cidr | sector */
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    /** The organisation an organisation, inventory or asset target belongs to. */
    .addColumn('organisation_id', 'text')
    /** Equal keys are the same target: org:<id>, sector:<id>, purl:<ecosystem>/<name>, ip4, ip6 (ranges then compared). */
    .addColumn('match_key', 'text', (c) => c.notNull())
    .addColumn('purl_ecosystem', 'text')
    .addColumn('purl_name', 'text')
    .addColumn('purl_version', 'text')
    .addColumn('ip_start', 'text')
    .addColumn('ip_end', 'text')
    .addPrimaryKeyConstraint('campaign_targets_pk', ['campaign_seq', 'position'])
    .execute();
  // Equal keys, and for ranges (key ip4/ip6) the blocks starting inside a range or equal to one of its supernets.
  await db.schema.createIndex('campaign_targets_match').on('campaign_targets').columns(['match_key', 'ip_start', 'ip_end']).execute();
  await db.schema.createIndex('campaign_targets_value').on('campaign_targets').columns(['kind', 'value']).execute();

  // Overlapping pairs (a_seq < b_seq), kept up to date when a campaign is registered, changed or cancelled, so that the
  // coordinators' list is an indexed, paged read. other_share: they share a sector, package or range; the organisations
  // they both aim at are listed apart, since a reader sees such a pair only when they may see one of them.
  await db.schema
    .createTable('campaign_overlaps')
    .addColumn('a_seq', 'integer', (c) => c.notNull().references('campaigns.seq').onDelete('cascade'))
    .addColumn('b_seq', 'integer', (c) => c.notNull().references('campaigns.seq').onDelete('cascade'))
    .addColumn('other_share', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('campaign_overlaps_pk', ['b_seq', 'a_seq'])
    .execute();
  await db.schema.createIndex('campaign_overlaps_a').on('campaign_overlaps').columns(['a_seq']).execute();
  await db.schema
    .createTable('campaign_overlap_orgs')
    .addColumn('a_seq', 'integer', (c) => c.notNull().references('campaigns.seq').onDelete('cascade'))
    .addColumn('b_seq', 'integer', (c) => c.notNull().references('campaigns.seq').onDelete('cascade'))
    .addColumn('organisation_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('campaign_overlap_orgs_pk', ['a_seq', 'b_seq', 'organisation_id'])
    .execute();
  await db.schema.createIndex('campaign_overlap_orgs_b').on('campaign_overlap_orgs').columns(['b_seq']).execute();

  await db.schema
    .createTable('org_assets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('owner_org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('tlp', 'text', (c) => c.notNull())
    .addColumn('embargo_until', 'text')
    .addColumn('restricted_role', 'text')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('inventory_id', 'text', (c) => c.references('inventories.id').onDelete('set null'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('org_assets_owner').on('org_assets').columns(['owner_org_id', 'name']).execute();
  await db.schema.createIndex('org_assets_inventory').on('org_assets').columns(['inventory_id']).execute();

  await db.schema
    .createTable('asset_ranges')
    .addColumn('asset_id', 'text', (c) => c.notNull().references('org_assets.id').onDelete('cascade'))
    .addColumn('cidr', 'text', (c) => c.notNull())
    .addColumn('family', 'text', (c) => c.notNull())
    .addColumn('ip_start', 'text', (c) => c.notNull())
    .addColumn('ip_end', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('asset_ranges_pk', ['asset_id', 'cidr'])
    .execute();
  await db.schema.createIndex('asset_ranges_family').on('asset_ranges').columns(['family', 'ip_start', 'ip_end']).execute();

  await db.schema
    .createTable('campaign_opt_outs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('asset_id', 'text', (c) => c.notNull().references('org_assets.id').onDelete('cascade'))
    /** The asset's organisation, which administers the opt-out. */
    .addColumn('owner_org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    /** null: out of every campaign. */
    .addColumn('campaign_seq', 'integer', (c) => c.references('campaigns.seq').onDelete('cascade'))
    /** The campaign's id, or '*' for every campaign: one opt-out per asset and scope. */
    .addColumn('scope_key', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('campaign_opt_outs_asset_scope', ['asset_id', 'scope_key'])
    .execute();
  await db.schema.createIndex('campaign_opt_outs_campaign').on('campaign_opt_outs').columns(['campaign_seq']).execute();
  await db.schema.createIndex('campaign_opt_outs_owner').on('campaign_opt_outs').columns(['owner_org_id', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['campaign_opt_outs', 'asset_ranges', 'org_assets', 'campaign_overlap_orgs', 'campaign_overlaps', 'campaign_targets', 'campaigns']) await db.schema.dropTable(t).execute();
}
