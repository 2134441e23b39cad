// Typed client for the notification inbox (docs/notifications.md). Requests go through api-session-client.ts: writes
// take the CSRF token of the session the page holds, and every failure is the same ApiError the rest of the UI shows.
import { type Page } from './api.ts';
import { enc, sessionClient } from './api-session-client.ts';

/** Copied from the contract (src/services/notification.service.ts, NotificationView): the UI must not bundle server code. */
export interface NotificationView {
  id: string;
  kind: string;
  organisationId: string;
  subject: { type: string; id: string; title: string };
  detail: Record<string, unknown>;
  advisoryId: string | null;
  inventories: { id: string; name: string; components: { purl: string; version: string; fixed: string | null }[] }[];
  severity: string | null;
  kev: boolean;
  createdAt: string;
  readAt: string | null;
  acknowledgedAt: string | null;
}

export interface UnreadCount {
  unread: number;
  /** The server stopped counting at `unread` (show "999+"). */
  capped: boolean;
}

/** Dispatched on window after the reader's own state changed here, so the header's unread count follows at once. */
export const NOTIFICATIONS_CHANGED = 'clearinghouse:notifications-changed';

export function announceNotificationsChanged(): void {
  window.dispatchEvent(new Event(NOTIFICATIONS_CHANGED));
}


/** The inbox calls; `csrfToken` is the signed-in session's. */
export function notificationApi(csrfToken: string | null) {
  const { request } = sessionClient(csrfToken);

  return {
    list(q: { unread?: boolean; limit?: number; cursor?: string | null } = {}): Promise<Page<NotificationView>> {
      const search = new URLSearchParams();
      if (q.unread) search.set('unread', 'true');
      if (q.limit) search.set('limit', String(q.limit));
      if (q.cursor) search.set('cursor', q.cursor);
      const text = search.toString();
      return request('GET', `/notifications${text ? `?${text}` : ''}`);
    },
    unreadCount(): Promise<UnreadCount> {
      return request('GET', '/notifications/unread-count');
    },
    markRead(id: string): Promise<NotificationView> {
      return request('POST', `/notifications/${enc(id)}/read`);
    },
    acknowledge(id: string): Promise<NotificationView> {
      return request('POST', `/notifications/${enc(id)}/acknowledge`);
    },
    markAllRead(): Promise<{ marked: number; more: boolean }> {
      return request('POST', '/notifications/read-all');
    },
  };
}

export type NotificationApi = ReturnType<typeof notificationApi>;
