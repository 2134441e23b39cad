/** Scope cases of the notification routes; see test/helpers/scope-cases.ts. Marking read is a state change too. */
import { SCOPE_CASES } from './scope-cases.ts';

const ID = '00000000-0000-4000-8000-000000000000';

Object.assign(SCOPE_CASES, {
  'POST /api/v1/notifications/{id}/read': { url: `/notifications/${ID}/read` },
  'POST /api/v1/notifications/{id}/acknowledge': { url: `/notifications/${ID}/acknowledge` },
  'POST /api/v1/notifications/read-all': { url: '/notifications/read-all' },
});
