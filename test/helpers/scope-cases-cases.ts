/** Scope cases of the cases routes (issue 9); see test/helpers/scope-cases.ts. */
import { SCOPE_CASES } from './scope-cases.ts';

const ID = '00000000-0000-4000-8000-000000000000';

Object.assign(SCOPE_CASES, {
  'POST /api/v1/cases': { url: '/cases', body: { title: 'scope test', findingIds: [ID] } },
  'PATCH /api/v1/cases/{id}': { url: `/cases/${ID}`, body: { title: 'scope test' }, headers: { 'if-match': '"1"' } },
  'POST /api/v1/cases/{id}/participants': { url: `/cases/${ID}/participants`, body: { organisationId: ID, role: 'vendor' } },
  'DELETE /api/v1/cases/{id}/participants/{organisationId}': { url: `/cases/${ID}/participants/${ID}` },
  'PUT /api/v1/cases/{id}/statuses/{organisationId}': { url: `/cases/${ID}/statuses/${ID}`, body: { status: 'affected' } },
  'POST /api/v1/cases/{id}/seen': { url: `/cases/${ID}/seen`, body: { key: 'statuses' } },
  'PUT /api/v1/cases/{id}/public-date': { url: `/cases/${ID}/public-date`, body: { publicDate: '2030-01-01T00:00:00Z', reason: 'scope test' }, headers: { 'if-match': '"1"' } },
  'POST /api/v1/cases/{id}/extension-requests': { url: `/cases/${ID}/extension-requests`, body: { publicDate: '2030-01-01T00:00:00Z', reason: 'scope test' } },
  'POST /api/v1/cases/{id}/extension-requests/{requestId}/decision': { url: `/cases/${ID}/extension-requests/${ID}/decision`, body: { accept: true } },
  'POST /api/v1/cases/{id}/advisory': { url: `/cases/${ID}/advisory`, body: {} },
  'POST /api/v1/organisations/{id}/products': { url: `/organisations/${ID}/products`, body: { purlPrefix: 'pkg:npm/scope-test/' } },
  'DELETE /api/v1/organisations/{id}/products/{productId}': { url: `/organisations/${ID}/products/${ID}` },
});
