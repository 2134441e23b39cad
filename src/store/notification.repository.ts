import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { AccessLabel, OrganisationKind, ReaderFacts, Tlp } from '../domain/policy/access-label.ts';
import type { NotificationScope, RecipientOrganisation } from '../domain/policy/notification.policy.ts';
import type { Db, Tx } from './db.ts';
import type { NotificationTable } from './schema-notifications.ts';
import { visibleTo, type ShareTable } from './visibility.ts';

const NEVER = sql<SqlBool>`1 = 0`;
const CHUNK = 500;

/**
 * Subject types whose record lives in a table of its own: every read asks that record's current label (with its
 * share table), so a notification follows its subject's label as it changes. Any other subject type is read under
 * the label kept with the notification (`notification_shares` holding its sharedWith list).
 */
const LIVE_SUBJECTS = {
  case: { table: 'cases', shares: { table: 'case_participants', recordColumn: 'case_seq', keyColumn: 'seq' }, drafts: false },
  finding: { table: 'findings', shares: { table: 'finding_shares', recordColumn: 'finding_seq', keyColumn: 'seq' }, drafts: false },
  // Advisory drafts are the owner's working copy (advisory.policy.ts): only the owner's members see them.
  advisory: { table: 'advisories', shares: { table: 'advisory_shares', recordColumn: 'advisory_seq', keyColumn: 'seq' }, drafts: true },
} as const satisfies Record<string, { table: string; shares: ShareTable; drafts: boolean }>;

type LiveType = keyof typeof LIVE_SUBJECTS;
const LIVE_TYPES = Object.keys(LIVE_SUBJECTS) as LiveType[];
const isLive = (type: string): type is LiveType => (LIVE_TYPES as string[]).includes(type);

const KEPT_SHARES: ShareTable = { table: 'notification_shares', recordColumn: 'notification_seq', keyColumn: 'seq' };

export type NotificationRow = Omit<NotificationTable, 'seq'> & { seq: number; read_at: string | null; acknowledged_at: string | null };
export type NewNotificationRow = Omit<NotificationTable, 'seq'>;

/** The subject, read through one recipient organisation (its facts), for the notification row in the outer query. */
function subjectVisible(facts: ReaderFacts, organisationId: string, now: string) {
  return (eb: ExpressionBuilder<any, any>): Expression<SqlBool> => {
    const live = LIVE_TYPES.map((type) => {
      const s = LIVE_SUBJECTS[type];
      return eb.and([
        eb('notifications.subject_type', '=', type),
        eb.exists(
          eb
            .selectFrom(s.table)
            .select(eb.lit(1).as('one'))
            .whereRef(`${s.table}.id`, '=', 'notifications.subject_id')
            .where(visibleTo(facts, now, s.table, undefined, s.shares))
            .where((e) => (s.drafts ? e.or([e(`${s.table}.state`, '<>', 'draft'), e(`${s.table}.owner_org_id`, '=', organisationId)]) : e.lit(true))),
        ),
      ]);
    });
    const kept = eb.and([eb('notifications.subject_type', 'not in', LIVE_TYPES), visibleTo(facts, now, 'notifications', undefined, KEPT_SHARES)(eb)]);
    return eb.or([...live, kept]);
  };
}

/**
 * The read rule of notification.policy.ts in SQL: for each organisation the reader belongs to, its notifications whose
 * subject that organisation may read now.
 */
function visible(scope: NotificationScope) {
  return (eb: ExpressionBuilder<any, any>): Expression<SqlBool> => {
    if (scope.recipients.length === 0) return NEVER;
    return eb.or(scope.recipients.map((r) => eb.and([eb('notifications.organisation_id', '=', r.organisationId), subjectVisible(r.facts, r.organisationId, scope.now)(eb)])));
  };
}

function inbox(db: Db | Tx, scope: NotificationScope) {
  const userId = scope.userId ?? '';
  return db
    .selectFrom('notifications')
    .leftJoin('notification_states as s', (join) => join.onRef('s.notification_seq', '=', 'notifications.seq').on('s.user_id', '=', userId))
    .where((eb) => eb('notifications.organisation_id', 'in', scope.recipients.length ? scope.recipients.map((r) => r.organisationId) : ['-']))
    .where(visible(scope));
}

/** Existing organisations among `ids`, with their kind and whether some member holds `restricted` (when given). */
export async function recipientOrganisations(tx: Tx, ids: readonly string[], restricted: string | null): Promise<RecipientOrganisation[]> {
  const out: RecipientOrganisation[] = [];
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    const orgs = await tx.selectFrom('organisations').select(['id', 'kind']).where('id', 'in', chunk).execute();
    const holders = new Set<string>();
    if (restricted !== null && orgs.length) {
      const rows = await tx
        .selectFrom('memberships as m')
        .innerJoin('users as u', 'u.id', 'm.user_id')
        .select('m.organisation_id')
        .distinct()
        .where('m.organisation_id', 'in', orgs.map((o) => o.id))
        .where('u.disabled', '=', 0)
        .where((eb) => eb.exists(eb.selectFrom('memberships as r').select(eb.lit(1).as('one')).whereRef('r.user_id', '=', 'm.user_id').where('r.role', '=', restricted)))
        .execute();
      for (const r of rows) holders.add(r.organisation_id);
    }
    for (const o of orgs) out.push({ id: o.id, kind: o.kind as OrganisationKind, memberRoles: holders.has(o.id) ? [restricted!] : [] });
  }
  return out;
}

/** Owning organisation of each existing inventory among `ids`. */
export async function inventoryOwners(tx: Tx, ids: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 0; i < ids.length; i += CHUNK) {
    for (const r of await tx.selectFrom('inventories').select(['id', 'owner_org_id']).where('id', 'in', ids.slice(i, i + CHUNK)).execute()) out.set(r.id, r.owner_org_id);
  }
  return out;
}

/** Inserts the notifications (multi-row statements), their kept share lists and inventories; returns id -> seq. */
export async function insertNotifications(
  tx: Tx,
  rows: readonly NewNotificationRow[],
  sharedWith: readonly string[],
  inventories: ReadonlyMap<string, { inventoryId: string; components: string }[]>,
): Promise<number> {
  const seqs = new Map<string, number>();
  // 16 columns a row: 500 rows stay under SQLite's bound-parameter limit.
  for (let i = 0; i < rows.length; i += CHUNK) {
    for (const r of await tx.insertInto('notifications').values(rows.slice(i, i + CHUNK)).returning(['seq', 'organisation_id']).execute()) {
      seqs.set(r.organisation_id, Number(r.seq));
    }
  }
  if (sharedWith.length) {
    const shares = [...seqs.values()].flatMap((seq) => sharedWith.map((organisation_id) => ({ notification_seq: seq, organisation_id })));
    for (let i = 0; i < shares.length; i += 2000) await tx.insertInto('notification_shares').values(shares.slice(i, i + 2000)).execute();
  }
  const invRows = [...inventories].flatMap(([org, list]) => {
    const seq = seqs.get(org);
    return seq === undefined ? [] : list.map((x) => ({ notification_seq: seq, inventory_id: x.inventoryId, components: x.components }));
  });
  for (let i = 0; i < invRows.length; i += 2000) await tx.insertInto('notification_inventories').values(invRows.slice(i, i + 2000)).execute();
  return seqs.size;
}

export interface InboxFilter {
  unread?: boolean;
  id?: string;
}

/** The reader's notifications, newest first; keyset over (created_at, seq). Every filter runs inside the read rule. */
export async function listNotifications(db: Db | Tx, scope: NotificationScope, f: InboxFilter, after: [string, number] | null, limit: number): Promise<NotificationRow[]> {
  if (scope.recipients.length === 0 || scope.userId === null) return [];
  let q = inbox(db, scope).selectAll('notifications').select(['s.read_at', 's.acknowledged_at']);
  if (f.unread) q = q.where('s.read_at', 'is', null);
  if (f.id !== undefined) q = q.where('notifications.id', '=', f.id);
  if (after) {
    const [c, s] = after;
    q = q.where((eb) => eb.or([eb('notifications.created_at', '<', c), eb.and([eb('notifications.created_at', '=', c), eb('notifications.seq', '<', s)])]));
  }
  const rows = await q.orderBy('notifications.created_at', 'desc').orderBy('notifications.seq', 'desc').limit(limit).execute();
  return rows.map((r) => ({ ...r, seq: Number(r.seq), kev: Number(r.kev) }));
}

/** Unread notifications the list would show, counted up to `cap` + 1 so the count's cost is bounded. */
export async function countUnread(db: Db, scope: NotificationScope, cap: number): Promise<number> {
  if (scope.recipients.length === 0 || scope.userId === null) return 0;
  const sub = inbox(db, scope).select(sql<number>`1`.as('one')).where('s.read_at', 'is', null).limit(cap + 1);
  const r = await db.selectFrom(sub.as('unread')).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Unscoped lookup: the service decides with `authorize` on the record in hand. */
export async function findNotification(db: Db | Tx, id: string): Promise<Omit<NotificationRow, 'read_at' | 'acknowledged_at'> | undefined> {
  const row = await db.selectFrom('notifications').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? { ...row, seq: Number(row.seq), kev: Number(row.kev) } : undefined;
}

/**
 * The subject's label as it is now (its own record's for the live types, the kept one otherwise), and whether it is
 * an owner-only draft; null when the subject record no longer exists.
 */
export async function subjectAccess(db: Db | Tx, n: Omit<NotificationRow, 'read_at' | 'acknowledged_at'>): Promise<{ label: AccessLabel; ownerOnly: boolean } | null> {
  const type = n.subject_type;
  if (!isLive(type)) {
    const shares = await db.selectFrom('notification_shares').select('organisation_id').where('notification_seq', '=', n.seq).orderBy('organisation_id').execute();
    return { label: labelOf(n, shares.map((s) => s.organisation_id)), ownerOnly: false };
  }
  const s = LIVE_SUBJECTS[type];
  const row = await db
    .selectFrom(s.table as 'cases')
    .select(['seq', 'owner_org_id', 'tlp', 'embargo_until', 'restricted_role', ...(s.drafts ? [sql<string>`state`.as('state')] : [])])
    .where('id', '=', n.subject_id)
    .executeTakeFirst() as { seq: number; owner_org_id: string; tlp: string; embargo_until: string | null; restricted_role: string | null; state?: string } | undefined;
  if (!row) return null;
  const shares = await db
    .selectFrom(s.shares.table as 'case_participants')
    .select('organisation_id')
    .where(s.shares.recordColumn as 'case_seq', '=', Number(row.seq))
    .orderBy('organisation_id')
    .execute();
  return { label: labelOf(row, shares.map((x) => x.organisation_id)), ownerOnly: s.drafts && row.state === 'draft' };
}

function labelOf(r: { owner_org_id: string; tlp: string; embargo_until: string | null; restricted_role: string | null }, sharedWith: string[]): AccessLabel {
  return { owner: r.owner_org_id, tlp: r.tlp as Tlp, embargoUntil: r.embargo_until, restricted: r.restricted_role, sharedWith };
}

export interface NotifiedInventory {
  id: string;
  name: string;
  components: string;
}

/**
 * The inventories each notification names, as far as the reader may read them now (an inventory relabelled or
 * deleted since drops out); by notification seq.
 */
export async function notificationInventories(db: Db | Tx, facts: ReaderFacts, now: string, seqs: readonly number[]): Promise<Map<number, NotifiedInventory[]>> {
  const out = new Map<number, NotifiedInventory[]>();
  if (seqs.length === 0) return out;
  const rows = await db
    .selectFrom('notification_inventories as ni')
    .innerJoin('inventories', 'inventories.id', 'ni.inventory_id')
    .select(['ni.notification_seq', 'ni.components', 'inventories.id', 'inventories.name'])
    .where('ni.notification_seq', 'in', [...seqs])
    .where(visibleTo(facts, now, 'inventories'))
    .orderBy('ni.notification_seq')
    .orderBy('inventories.name')
    .orderBy('inventories.id')
    .execute();
  for (const r of rows) {
    const seq = Number(r.notification_seq);
    const list = out.get(seq) ?? [];
    list.push({ id: r.id, name: r.name, components: r.components });
    out.set(seq, list);
  }
  return out;
}

/** Marks one notification read for the user; a second call keeps the first time. */
export async function markRead(tx: Tx, seq: number, userId: string, at: string): Promise<void> {
  await tx
    .insertInto('notification_states')
    .values({ notification_seq: seq, user_id: userId, read_at: at, acknowledged_at: null })
    .onConflict((oc) => oc.columns(['notification_seq', 'user_id']).doNothing())
    .execute();
}

/** Acknowledges (and so reads) one notification for the user; false when it was already acknowledged. */
export async function markAcknowledged(tx: Tx, seq: number, userId: string, at: string): Promise<boolean> {
  const res = await tx
    .insertInto('notification_states')
    .values({ notification_seq: seq, user_id: userId, read_at: at, acknowledged_at: at })
    .onConflict((oc) => oc.columns(['notification_seq', 'user_id']).doUpdateSet({ acknowledged_at: at }).where('notification_states.acknowledged_at', 'is', null))
    .executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Marks up to `cap` of the reader's unread notifications read, newest first, in one statement; returns how many. */
export async function markAllRead(tx: Tx, scope: NotificationScope, at: string, cap: number): Promise<number> {
  if (scope.recipients.length === 0 || scope.userId === null) return 0;
  const unread = inbox(tx, scope)
    .select(['notifications.seq', sql<string>`cast(${scope.userId} as text)`.as('user_id'), sql<string>`cast(${at} as text)`.as('read_at')])
    .where('s.read_at', 'is', null)
    .orderBy('notifications.created_at', 'desc')
    .orderBy('notifications.seq', 'desc')
    .limit(cap);
  const res = await tx
    .insertInto('notification_states')
    .columns(['notification_seq', 'user_id', 'read_at'])
    .expression(unread)
    .onConflict((oc) => oc.columns(['notification_seq', 'user_id']).doNothing())
    .executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0);
}
