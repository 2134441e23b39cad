/** Scope cases of the triage routes (issue 9); see test/helpers/scope-cases.ts. */
import { SCOPE_CASES } from './scope-cases.ts';

const ID = '00000000-0000-4000-8000-000000000000';

Object.assign(SCOPE_CASES, {
  'POST /api/v1/findings/{id}/state': { url: `/findings/${ID}/state`, body: { state: 'triaging', note: 'scope test' }, headers: { 'if-match': '"1"' } },
  'PUT /api/v1/findings/{id}/scores': { url: `/findings/${ID}/scores`, body: { cvss3: null }, headers: { 'if-match': '"1"' } },
  'PUT /api/v1/findings/{id}/ssvc': {
    url: `/findings/${ID}/ssvc`,
    body: { exploitation: 'none', automatable: 'no', technicalImpact: 'partial', missionWellbeing: 'low' },
    headers: { 'if-match': '"1"' },
  },
  'POST /api/v1/kev/import': { url: '/kev/import', body: {}, headers: {} },
});
