/** Scope cases of the campaigns routes (issue 9); see test/helpers/scope-cases.ts. */
import { SCOPE_CASES } from './scope-cases.ts';

const ID = '00000000-0000-4000-8000-000000000000';
const CAMPAIGN = {
  name: 'scope test',
  scope: { cidrs: ['192.0.2.0/24'] },
  window: { start: '2030-01-01T00:00:00Z', end: '2030-01-02T00:00:00Z' },
  tool: 't',
  model: 'm',
  contact: 'c',
};
const ASSET = { name: 'scope test', ranges: ['192.0.2.0/24'] };

Object.assign(SCOPE_CASES, {
  'POST /api/v1/campaigns': { url: '/campaigns', body: CAMPAIGN },
  'PUT /api/v1/campaigns/{id}': { url: `/campaigns/${ID}`, body: CAMPAIGN, headers: { 'if-match': '"1"' } },
  'POST /api/v1/campaigns/{id}/cancel': { url: `/campaigns/${ID}/cancel`, body: {}, headers: { 'if-match': '"1"' } },
  'POST /api/v1/organisations/{id}/assets': { url: `/organisations/${ID}/assets`, body: ASSET },
  'PUT /api/v1/organisations/{id}/assets/{assetId}': { url: `/organisations/${ID}/assets/${ID}`, body: ASSET, headers: { 'if-match': '"1"' } },
  'DELETE /api/v1/organisations/{id}/assets/{assetId}': { url: `/organisations/${ID}/assets/${ID}` },
  'POST /api/v1/organisations/{id}/opt-outs': { url: `/organisations/${ID}/opt-outs`, body: { assetId: ID } },
  'DELETE /api/v1/organisations/{id}/opt-outs/{optOutId}': { url: `/organisations/${ID}/opt-outs/${ID}` },
});
