/** Scope cases of the findings routes (issue 9); see test/helpers/scope-cases.ts. */
import { SCOPE_CASES } from './scope-cases.ts';

const ID = '00000000-0000-4000-8000-000000000000';

Object.assign(SCOPE_CASES, {
  'POST /api/v1/findings': { url: '/findings', body: { organisationId: ID, title: 'scope test', description: 'd', product: { name: 'p' } } },
  'POST /api/v1/findings/import': { url: `/findings/import?organisationId=${ID}`, body: '{}', headers: { 'content-type': 'application/json' } },
  'POST /api/v1/findings/{id}/attachments': { url: `/findings/${ID}/attachments?filename=x.txt`, body: 'evidence', headers: { 'content-type': 'text/plain' } },
  'POST /api/v1/findings/{id}/merge': { url: `/findings/${ID}/merge`, body: { into: ID, note: 'scope test' } },
  'POST /api/v1/findings/{id}/reports/{reportId}/split': { url: `/findings/${ID}/reports/${ID}/split`, body: { note: 'scope test' } },
});
