import { sql, type ExpressionBuilder, type Expression, type SqlBool } from 'kysely';
import type { ReaderFacts } from '../domain/policy/access-label.ts';

const NEVER = sql<SqlBool>`1 = 0`;

/**
 * The read rule of src/domain/policy/access-label.ts (`canRead`) as a SQL condition over a labelled table's columns,
 * so hidden rows never leave the database: not in lists, counts, cursors or search. Keep the two in step;
 * policy.test.ts checks them against each other on every combination.
 */
/** Where a table keeps the four parts of a label, when not under the names of LabelColumns (the audit log). */
export interface LabelColumnNames {
  owner_org_id: string;
  tlp: string;
  embargo_until: string;
  restricted_role: string;
}

/**
 * Where a shareable table lists the organisations each record is shared with (`sharedWith` of the label): one row per
 * (record, organisation), `recordColumn` pointing at `table.keyColumn`.
 */
export interface ShareTable {
  table: string;
  recordColumn: string;
  keyColumn: string;
}

export function visibleTo(facts: ReaderFacts, nowIso: string, table: string, names?: LabelColumnNames, shares?: ShareTable) {
  return (eb: ExpressionBuilder<any, any>): Expression<SqlBool> => {
    const col = (c: keyof LabelColumnNames) => eb.ref(`${table}.${names ? names[c] : c}`);
    const ownerOnly = facts.organisationIds.length ? eb(col('owner_org_id'), 'in', facts.organisationIds) : NEVER;
    const isOwner = shares && facts.organisationIds.length
      ? eb.or([
        ownerOnly,
        eb.exists(
          eb.selectFrom(shares.table)
            .select(eb.lit(1).as('one'))
            .whereRef(`${shares.table}.${shares.recordColumn}`, '=', `${table}.${shares.keyColumn}`)
            .where(`${shares.table}.organisation_id`, 'in', facts.organisationIds),
        ),
      ])
      : ownerOnly;
    const ownerOrCoordinator = facts.coordinator ? sql<SqlBool>`1 = 1` : isOwner;
    const restricted = facts.roles.length
      ? eb.or([eb(col('restricted_role'), 'is', null), eb(col('restricted_role'), 'in', facts.roles)])
      : eb(col('restricted_role'), 'is', null);
    const embargo = eb.or([
      eb(col('embargo_until'), 'is', null),
      eb(col('embargo_until'), '<=', nowIso),
      ownerOrCoordinator,
    ]);
    const tlp = eb.or([
      eb(col('tlp'), '=', 'CLEAR'),
      facts.authenticated ? eb(col('tlp'), '=', 'GREEN') : NEVER,
      eb.and([eb(col('tlp'), 'in', ['AMBER', 'AMBER+STRICT']), ownerOrCoordinator]),
      eb.and([eb(col('tlp'), '=', 'RED'), isOwner]),
    ]);
    return eb.and([restricted, embargo, tlp]);
  };
}
