import { randomUUID } from 'node:crypto';
import type { Services } from '../composition.ts';
import { canonicalJson } from '../domain/canonical-json.ts';
import { InvalidInputError, NotFoundError } from '../domain/errors.ts';
import { TLP_LEVELS, type AccessLabel, type Principal } from '../domain/policy/access-label.ts';
import { authorize, guardFor } from '../domain/policy/authorize.ts';
import { mayReceive, notificationScope, type NotificationRecord } from '../domain/policy/notification.policy.ts';
import type { Tx } from '../store/db.ts';
import {
  countUnread,
  findNotification,
  insertNotifications,
  inventoryOwners,
  listNotifications,
  markAcknowledged,
  markAllRead,
  markRead,
  notificationInventories,
  recipientOrganisations,
  subjectAccess,
  type NewNotificationRow,
  type NotificationRow,
} from '../store/notification.repository.ts';
import { writeTx, type ServiceDeps } from './context.ts';
import { decodeCursor, pageLimit, toPage, type Page } from './pagination.ts';

/**
 * What a workflow hands to the inbox, inside its own transaction (so a notification exists exactly when the change
 * that causes it committed). One notification per recipient organisation; its members each have their own read and
 * acknowledged state.
 */
export interface NotifyInput {
  /** Recipient organisations. The service drops any that may not read `label` at `now`: nothing is sent to a reader the policy forbids. */
  organisationIds: readonly string[];
  /** e.g. `case.participant-added`, `case.reminder`, `case.public-date-changed`, `case.published` (issue 9); `advisory.affected` (issue 10). */
  kind: string;
  /** The record it is about: its type, id and a one-line title readable by the recipients. */
  subject: { type: string; id: string; title: string };
  /** The label of the subject record, kept with the notification so that every read re-applies the policy. */
  label: AccessLabel;
  /** Short structured detail for the kind (e.g. `{ daysLeft: 7, publicDate }`); never names another organisation's assets. */
  detail?: Record<string, unknown>;
  /** Issue 10: the advisory's severity rating (`critical`, `high`...), shown and filtered on; null or absent otherwise. */
  severity?: string | null;
  /** Issue 10: the advisory is in the CISA KEV catalogue. */
  kev?: boolean;
  /**
   * Issue 10: the affected inventories. Each goes only to the notification of the organisation that owns it (so a
   * notification never names another organisation's assets); inventories of organisations not notified are dropped.
   */
  inventories?: readonly { id: string; components: readonly NotifiedComponent[] }[];
}

export interface NotifiedComponent {
  purl: string;
  version: string;
  /** Lowest fixed version, or remediation text; null when there is none. */
  fixed: string | null;
}

export const NOTIFICATION_LIMITS = {
  /** Recipient organisations of one notify call. */
  recipients: 100_000,
  /** Subject titles are cut to this many characters (an ellipsis marks the cut). */
  title: 300,
  /** Canonical JSON bytes of `detail`. */
  detailBytes: 8192,
  inventories: 100_000,
  componentsPerInventory: 1000,
  /** The unread count stops counting here (the UI shows "999+"). */
  unreadCount: 999,
  /** Notifications one mark-all-read call marks. */
  markAll: 10_000,
} as const;

const KIND = /^[a-z][a-z0-9-]{0,31}(\.[a-z][a-z0-9-]{0,31}){1,3}$/;
const SUBJECT_TYPE = /^[a-z][a-z0-9-]{0,31}$/;

export interface NotificationView {
  id: string;
  kind: string;
  organisationId: string;
  subject: { type: string; id: string; title: string };
  detail: Record<string, unknown>;
  /** The subject's id when the subject is an advisory (issue 10's contract), else null. */
  advisoryId: string | null;
  inventories: { id: string; name: string; components: NotifiedComponent[] }[];
  severity: string | null;
  kev: boolean;
  createdAt: string;
  readAt: string | null;
  acknowledgedAt: string | null;
}

export interface NotificationListQuery {
  limit?: number | undefined;
  cursor?: string | undefined;
  unread?: boolean | undefined;
}

/** What leaves the service for a notification; every field is chosen here. */
export function presentNotification(row: NotificationRow, inventories: readonly { id: string; name: string; components: string }[]): NotificationView {
  return {
    id: row.id,
    kind: row.kind,
    organisationId: row.organisation_id,
    subject: { type: row.subject_type, id: row.subject_id, title: row.subject_title },
    detail: JSON.parse(row.detail) as Record<string, unknown>,
    advisoryId: row.subject_type === 'advisory' ? row.subject_id : null,
    inventories: inventories.map((i) => ({ id: i.id, name: i.name, components: JSON.parse(i.components) as NotifiedComponent[] })),
    severity: row.severity,
    kev: row.kev === 1,
    createdAt: row.created_at,
    readAt: row.read_at,
    acknowledgedAt: row.acknowledged_at,
  };
}

function cutTitle(title: string): string {
  const chars = [...title.replace(/\s+/g, ' ').trim()];
  return chars.length <= NOTIFICATION_LIMITS.title ? chars.join('') : `${chars.slice(0, NOTIFICATION_LIMITS.title - 1).join('')}…`;
}

/** Checks a notify call field by field; these are the calling workflow's mistakes, so they abort its transaction. */
function checkInput(input: NotifyInput): { detail: string; title: string } {
  if (!KIND.test(input.kind)) throw new InvalidInputError(`notification kind ${JSON.stringify(input.kind.slice(0, 80))} is not of the form area.event (lower case)`, { field: 'kind' });
  if (!SUBJECT_TYPE.test(input.subject.type)) throw new InvalidInputError('notification subject.type must be a lower-case record type name', { field: 'subject.type' });
  if (input.subject.id.length === 0 || input.subject.id.length > 200) throw new InvalidInputError('notification subject.id must be 1 to 200 characters', { field: 'subject.id' });
  if (!(TLP_LEVELS as readonly string[]).includes(input.label.tlp)) throw new InvalidInputError('notification label.tlp is not a TLP level', { field: 'label.tlp' });
  if (input.organisationIds.length > NOTIFICATION_LIMITS.recipients) throw new InvalidInputError(`one notify call reaches at most ${NOTIFICATION_LIMITS.recipients} organisations`, { field: 'organisationIds' });
  if (input.severity !== undefined && input.severity !== null && !/^[a-z-]{1,32}$/.test(input.severity)) throw new InvalidInputError('notification severity must be a rating word', { field: 'severity' });
  const detail = input.detail ?? {};
  if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) throw new InvalidInputError('notification detail must be an object', { field: 'detail' });
  const json = canonicalJson(detail);
  if (Buffer.byteLength(json) > NOTIFICATION_LIMITS.detailBytes) throw new InvalidInputError(`notification detail is over ${NOTIFICATION_LIMITS.detailBytes} bytes`, { field: 'detail' });
  const inventories = input.inventories ?? [];
  if (inventories.length > NOTIFICATION_LIMITS.inventories) throw new InvalidInputError(`one notify call names at most ${NOTIFICATION_LIMITS.inventories} inventories`, { field: 'inventories' });
  if (inventories.some((i) => i.components.length > NOTIFICATION_LIMITS.componentsPerInventory)) {
    throw new InvalidInputError(`a notification names at most ${NOTIFICATION_LIMITS.componentsPerInventory} components per inventory`, { field: 'inventories' });
  }
  return { detail: json, title: cutTitle(input.subject.title) };
}

/** The per-organisation inbox: notifications of cases now, of affected advisories next (issue 10). */
export class NotificationService {
  constructor(
    protected readonly deps: ServiceDeps,
    /** The other services, resolved lazily so this one needs no place in the wiring order. */
    protected readonly peers: () => Services,
  ) {}

  #now(): Date {
    return this.deps.clock.now();
  }

  /**
   * Records notifications inside the caller's transaction (see NotifyInput). Returns how many were created: one per
   * existing recipient organisation that may read the label at `nowIso`. Not audited by itself: it is a consequence
   * of the caller's change, whose own audit entry is written in the same transaction.
   */
  async notify(tx: Tx, input: NotifyInput, nowIso: string): Promise<number> {
    const { detail, title } = checkInput(input);
    const now = new Date(nowIso);
    if (Number.isNaN(now.getTime())) throw new InvalidInputError('notify needs an ISO timestamp', { field: 'now' });
    const ids = [...new Set(input.organisationIds)];
    if (ids.length === 0) return 0;
    const recipients = (await recipientOrganisations(tx, ids, input.label.restricted)).filter((o) => mayReceive(o, input.label, now));
    if (recipients.length === 0) return 0;
    const at = now.toISOString();
    const rows: NewNotificationRow[] = recipients.map((o) => ({
      id: randomUUID(),
      organisation_id: o.id,
      kind: input.kind,
      subject_type: input.subject.type,
      subject_id: input.subject.id,
      subject_title: title,
      detail,
      owner_org_id: input.label.owner,
      tlp: input.label.tlp,
      embargo_until: input.label.embargoUntil,
      restricted_role: input.label.restricted,
      severity: input.severity ?? null,
      kev: input.kev ? 1 : 0,
      created_at: at,
    }));
    const byOrg = new Map<string, { inventoryId: string; components: string }[]>();
    const inventories = input.inventories ?? [];
    if (inventories.length) {
      const owners = await inventoryOwners(tx, [...new Set(inventories.map((i) => i.id))]);
      const notified = new Set(recipients.map((o) => o.id));
      const seen = new Set<string>();
      for (const inv of inventories) {
        const owner = owners.get(inv.id);
        if (!owner || !notified.has(owner) || seen.has(inv.id)) continue;
        seen.add(inv.id);
        const components = inv.components.map((c) => ({ purl: String(c.purl), version: String(c.version), fixed: c.fixed === null ? null : String(c.fixed) }));
        byOrg.set(owner, [...(byOrg.get(owner) ?? []), { inventoryId: inv.id, components: JSON.stringify(components) }]);
      }
    }
    const sharedWith = [...new Set(input.label.sharedWith ?? [])];
    const known = sharedWith.length ? new Set((await recipientOrganisations(tx, sharedWith, null)).map((o) => o.id)) : new Set<string>();
    return insertNotifications(tx, rows, sharedWith.filter((o) => known.has(o)), byOrg);
  }

  async #present(tx: Parameters<typeof listNotifications>[0], actor: Principal, rows: NotificationRow[]): Promise<NotificationView[]> {
    const scope = notificationScope(actor, this.#now());
    const inventories = await notificationInventories(tx, scope.facts, scope.now, rows.map((r) => r.seq));
    return rows.map((r) => presentNotification(r, inventories.get(r.seq) ?? []));
  }

  async list(actor: Principal, query: NotificationListQuery): Promise<Page<NotificationView>> {
    guardFor(actor, 'notification.list');
    const limit = pageLimit(query.limit);
    const after = decodeCursor(query.cursor, 2);
    if (after && (typeof after[0] !== 'string' || typeof after[1] !== 'number')) {
      throw new InvalidInputError('invalid cursor: pass the nextCursor value of the previous page unchanged', { parameter: 'cursor' });
    }
    const scope = notificationScope(actor, this.#now());
    const rows = await listNotifications(this.deps.db, scope, { unread: query.unread === true }, after as [string, number] | null, limit + 1);
    const page = toPage(rows, limit, (r) => r, (r) => [r.created_at, r.seq]);
    return { items: await this.#present(this.deps.db, actor, page.items), nextCursor: page.nextCursor };
  }

  /** How many notifications the list would show as unread, up to NOTIFICATION_LIMITS.unreadCount. */
  async unreadCount(actor: Principal): Promise<{ unread: number; capped: boolean }> {
    guardFor(actor, 'notification.list');
    const n = await countUnread(this.deps.db, notificationScope(actor, this.#now()), NOTIFICATION_LIMITS.unreadCount);
    return { unread: Math.min(n, NOTIFICATION_LIMITS.unreadCount), capped: n > NOTIFICATION_LIMITS.unreadCount };
  }

  /** One notification of the reader's; hidden and absent ones answer alike. */
  async #find(actor: Principal, tx: Parameters<typeof findNotification>[0], id: string, action: 'notification.read' | 'notification.mark'): Promise<NotificationRow & { record: NotificationRecord }> {
    const row = await findNotification(tx, id);
    if (!row) throw new NotFoundError('notification');
    const access = await subjectAccess(tx, row);
    if (!access) throw new NotFoundError('notification');
    const record: NotificationRecord = { organisationId: row.organisation_id, label: access.label, ownerOnly: access.ownerOnly };
    authorize(actor, action, record, this.#now());
    return { ...row, read_at: null, acknowledged_at: null, record };
  }

  /** The notification as the reader sees it now (their state, their readable inventories). */
  async #view(actor: Principal, tx: Parameters<typeof listNotifications>[0], id: string): Promise<NotificationView> {
    const rows = await listNotifications(tx, notificationScope(actor, this.#now()), { id }, null, 1);
    if (rows.length === 0) throw new NotFoundError('notification');
    return (await this.#present(tx, actor, rows))[0]!;
  }

  async get(actor: Principal, id: string): Promise<NotificationView> {
    guardFor(actor, 'notification.read');
    await this.#find(actor, this.deps.db, id, 'notification.read');
    return this.#view(actor, this.deps.db, id);
  }

  /**
   * Marks it read for the caller (the first time counts). Not audited: it is the reader's own display state, like
   * a thread's unread marker (docs/notifications.md).
   */
  async markRead(actor: Principal, id: string): Promise<NotificationView> {
    guardFor(actor, 'notification.mark');
    return writeTx(this.deps, actor, async (tx, _audit, at) => {
      const n = await this.#find(actor, tx, id, 'notification.mark');
      await markRead(tx, n.seq, actor.userId!, at);
      return this.#view(actor, tx, id);
    });
  }

  /** Acknowledges it for the caller (and reads it); audited the first time, as the act a coordinator may ask about. */
  async acknowledge(actor: Principal, id: string): Promise<NotificationView> {
    guardFor(actor, 'notification.mark');
    return writeTx(this.deps, actor, async (tx, audit, at) => {
      const n = await this.#find(actor, tx, id, 'notification.mark');
      if (await markAcknowledged(tx, n.seq, actor.userId!, at)) {
        const l = n.record.label;
        await audit({
          action: 'notification.acknowledge',
          recordType: 'notification',
          recordId: n.id,
          organisationId: n.organisation_id,
          before: { acknowledgedAt: null },
          after: { acknowledgedAt: at },
          // As hidden as the notification: the recipient's record, under its subject's TLP, embargo and need-to-know.
          label: { owner: n.organisation_id, tlp: l.tlp, embargoUntil: l.embargoUntil, restricted: l.restricted },
        });
      }
      return this.#view(actor, tx, id);
    });
  }

  /** Marks the caller's unread notifications read, newest first, up to NOTIFICATION_LIMITS.markAll in one call. */
  async markAllRead(actor: Principal): Promise<{ marked: number; more: boolean }> {
    guardFor(actor, 'notification.mark-all');
    authorize(actor, 'notification.mark-all', null, this.#now());
    return writeTx(this.deps, actor, async (tx, _audit, at) => {
      const scope = notificationScope(actor, this.#now());
      const marked = await markAllRead(tx, scope, at, NOTIFICATION_LIMITS.markAll);
      const more = (await listNotifications(tx, scope, { unread: true }, null, 1)).length > 0;
      return { marked, more };
    });
  }
}
