/** Scope cases of the threads routes (issue 9); see test/helpers/scope-cases.ts. */
import { SCOPE_CASES, SCOPE_NOT_GUARDED } from './scope-cases.ts';

const ID = '00000000-0000-4000-8000-000000000000';
const THREAD = `/cases/${ID}/threads/participants`;

Object.assign(SCOPE_CASES, {
  'POST /api/v1/cases/{id}/threads/{thread}/messages': { url: `${THREAD}/messages`, body: { body: 'scope test' } },
  'POST /api/v1/cases/{id}/threads/{thread}/seen': { url: `${THREAD}/seen`, body: {} },
  // Refused before a byte of the file is read.
  'POST /api/v1/cases/{id}/threads/{thread}/messages/{messageId}/attachments': {
    url: `${THREAD}/messages/${ID}/attachments?filename=scope.txt`,
    body: 'scope test file',
    headers: { 'content-type': 'text/plain' },
  },
});

// Renders Markdown for the composer's preview and stores nothing: a query sent as POST (it needs the read scope).
SCOPE_NOT_GUARDED.add('POST /api/v1/cases/{id}/threads/{thread}/preview');
