// Typed client for a case's threads (issue 9; docs/case-threads.md). Same conventions as api-advisories.ts: its own
// small request helper, writes carry the session's CSRF token, every failure is the ApiError the rest of the UI shows.
import { API_BASE, ApiError, type Page, type Problem } from './api.ts';

// Record shapes are the server's own types (type-only imports: nothing of the server is bundled).
export type { MessageView, ThreadPage, ThreadSummaryView } from '../../src/services/case-thread.service.ts';
export type { AttachmentView } from '../../src/services/attachment.service.ts';
import type { MessageView, ThreadPage, ThreadSummaryView } from '../../src/services/case-thread.service.ts';
import type { AttachmentView } from '../../src/services/attachment.service.ts';

export type ThreadName = 'participants' | 'internal';

/** Mirrors MESSAGE_LIMITS.body of src/domain/case-threads/markdown.ts (the server checks again). */
export const MESSAGE_MAX_CHARS = 20_000;

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

/** The thread calls; `csrfToken` is the signed-in session's. */
export function caseThreadApi(csrfToken: string | null) {
  async function send<T>(method: string, path: string, init: { body?: BodyInit; headers?: Record<string, string> } = {}): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json, application/problem+json', ...init.headers };
    if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
    let response: Response;
    try {
      response = await fetch(API_BASE + path, { method, headers, credentials: 'same-origin', body: init.body });
    } catch {
      throw new ApiError({ type: 'about:blank', title: 'Network error', status: 0, detail: 'The Clearinghouse server could not be reached. Check your connection and try again.' });
    }
    if (!response.ok) throw new ApiError(await problemOf(response));
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }
  const json = <T>(method: string, path: string, body: unknown) => send<T>(method, path, { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
  const base = (caseId: string, thread: ThreadName) => `/cases/${enc(caseId)}/threads/${thread}`;

  return {
    threads(caseId: string): Promise<{ items: ThreadSummaryView[] }> {
      return send('GET', `/cases/${enc(caseId)}/threads`);
    },
    /** Newest first; pass the previous page's nextCursor for older messages. */
    messages(caseId: string, thread: ThreadName, cursor: string | null, limit = 30): Promise<ThreadPage> {
      return send('GET', `${base(caseId, thread)}/messages?limit=${limit}${cursor ? `&cursor=${enc(cursor)}` : ''}`);
    },
    post(caseId: string, thread: ThreadName, input: { body: string; replyTo?: string | null; organisationId?: string }): Promise<MessageView> {
      return json('POST', `${base(caseId, thread)}/messages`, input);
    },
    preview(caseId: string, thread: ThreadName, body: string): Promise<{ html: string }> {
      return json('POST', `${base(caseId, thread)}/preview`, { body });
    },
    /** Marks the thread read up to the newest message you were shown. */
    markSeen(caseId: string, thread: ThreadName, upTo?: string): Promise<{ thread: ThreadName; seenAt: string | null; unread: number }> {
      return json('POST', `${base(caseId, thread)}/seen`, upTo ? { upTo } : {});
    },
    /** The file itself is the body, streamed by the browser; never read into JSON. */
    attach(caseId: string, thread: ThreadName, messageId: string, file: File): Promise<AttachmentView> {
      return send('POST', `${base(caseId, thread)}/messages/${enc(messageId)}/attachments?filename=${enc(file.name)}`, {
        body: file,
        headers: { 'Content-Type': file.type || 'application/octet-stream' },
      });
    },
  };
}

export type CaseThreadApi = ReturnType<typeof caseThreadApi>;
export type { Page };
