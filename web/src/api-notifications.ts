// Typed client for the notification inbox (docs/notifications.md). api.ts keeps its request helper and CSRF token
// private, so this module has its own small one, like api-advisories.ts: writes take the CSRF token of the session the
// page holds, and every failure is the same ApiError the rest of the UI shows.
import { API_BASE, ApiError, type Page, type Problem } from './api.ts';

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

async function problemOf(response: Response): Promise<Problem> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as Partial<Problem>;
    if (body && typeof body === 'object')
      return { ...body, type: body.type ?? 'about:blank', title: body.title ?? response.statusText, status: body.status ?? response.status, detail: body.detail ?? body.title ?? `The server answered ${response.status}.` };
  } catch {
    // Not JSON (a proxy's error page): the generic problem below.
  }
  return { type: 'about:blank', title: response.statusText || 'Request failed', status: response.status, detail: `The server answered ${response.status}.` };
}

const enc = encodeURIComponent;

/** The inbox calls; `csrfToken` is the signed-in session's. */
export function notificationApi(csrfToken: string | null) {
  async function request<T>(method: string, path: string): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json, application/problem+json' };
    if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
    let response: Response;
    try {
      response = await fetch(API_BASE + path, { method, headers, credentials: 'same-origin' });
    } catch {
      throw new ApiError({ type: 'about:blank', title: 'Network error', status: 0, detail: 'The Clearinghouse server could not be reached. Check your connection and try again.' });
    }
    if (!response.ok) throw new ApiError(await problemOf(response));
    return (await response.json()) as T;
  }

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
