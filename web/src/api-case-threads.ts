// Typed client for a case's threads (issue 9; docs/case-threads.md). Requests go through api-session-client.ts: writes
// carry the session's CSRF token, every failure is the ApiError the rest of the UI shows.
import { type Page } from './api.ts';
import { enc, sessionClient } from './api-session-client.ts';

// Record shapes are the server's own types (type-only imports: nothing of the server is bundled).
export type { MessageView, ThreadPage, ThreadSummaryView } from '../../src/services/case-thread.service.ts';
export type { AttachmentView } from '../../src/services/attachment.service.ts';
import type { MessageView, ThreadPage, ThreadSummaryView } from '../../src/services/case-thread.service.ts';
import type { AttachmentView } from '../../src/services/attachment.service.ts';

export type ThreadName = 'participants' | 'internal';

/** Mirrors MESSAGE_LIMITS.body of src/domain/case-threads/markdown.ts (the server checks again). */
export const MESSAGE_MAX_CHARS = 20_000;


/** The thread calls; `csrfToken` is the signed-in session's. */
export function caseThreadApi(csrfToken: string | null) {
  const { request: send, json } = sessionClient(csrfToken);
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
      return send('POST', `${base(caseId, thread)}/messages/${enc(messageId)}/attachments?filename=${enc(file.name)}`, { raw: file, contentType: file.type || 'application/octet-stream' });
    },
  };
}

export type CaseThreadApi = ReturnType<typeof caseThreadApi>;
export type { Page };
