import { Type, type FastifyPluginAsyncTypebox, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Services } from '../composition.ts';
import { AUTOMATABLE, EXPLOITATION, MISSION_WELLBEING, TECHNICAL_IMPACT } from '../domain/ssvc/ssvc-coordinator.ts';
import { TRIAGE_STATES } from '../domain/triage/triage-states.ts';
import { KEV_LIMITS } from '../formats/kev.ts';
import { TRIAGE_LIMITS } from '../services/triage.service.ts';
import { AdvisoryId } from './advisory.routes.ts';
import { problem, sendProblem, toProblem } from './problem.ts';
import { Nullable, Sector, StringEnum, errorResponses, expectedVersion, ifMatchHeaders } from './schemas.ts';

/** Finding ids are UUIDs (src/services/finding.service.ts); the view is H2's FindingView, passed through whole. */
const FindingParams = Type.Object({ id: Type.String({ maxLength: 64, pattern: '^[A-Za-z0-9-]{1,64}$' }) }, { additionalProperties: false });
const FindingView = Type.Unknown({ description: 'the finding (as GET /api/v1/findings/:id answers it)' });
const Version = Type.Optional(Type.Integer({ minimum: 0, description: 'the version you read (or send If-Match)' }));
const Vector = Type.String({ maxLength: 300 });

const QueueQuery = Type.Object({
  state: Type.Optional(StringEnum(TRIAGE_STATES)),
  sector: Type.Optional(Sector),
  product: Type.Optional(Type.String({ maxLength: TRIAGE_LIMITS.filter, description: 'a purl (pkg:...) or CPE (cpe:...) prefix, matched exactly; otherwise a part of the product name or CPE, any case' })),
  reporter: Type.Optional(Type.String({ format: 'uuid', description: 'an organisation that reported the finding (duplicates included)' })),
  q: Type.Optional(Type.String({ maxLength: TRIAGE_LIMITS.filter, description: 'title, product, alias or CWE text' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 1000 })),
}, { additionalProperties: false });

const TriageEvent = Type.Object({
  kind: StringEnum(['state', 'scores', 'ssvc', 'kev'] as const),
  from: Nullable(Type.String()),
  to: Nullable(Type.String()),
  note: Nullable(Type.String()),
  detail: Type.Unknown(),
  actor: Type.String(),
  at: Type.String({ format: 'date-time' }),
});

const KevEntry = Type.Object({
  cve: Type.String(),
  vendor: Type.String(),
  product: Type.String(),
  name: Type.String(),
  dateAdded: Type.String(),
  dueDate: Type.String(),
  knownRansomware: Type.Boolean(),
  requiredAction: Type.String(),
  catalogVersion: Type.String(),
});

const KevSummary = Type.Object({ entries: Type.Integer(), findings: Type.Integer({ description: 'marked findings you may read' }), advisories: Type.Integer({ description: 'marked advisories you may read' }) });

/** Triage: states, scores, SSVC, KEV, the queue (issue 9; docs/triage.md). */
export const triageRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const triage = services.triage;
  const tags = ['triage'];

  app.get('/findings', {
    schema: {
      tags,
      summary: 'The triage queue: findings you may read, by SSVC decision, exploitation, CVSS, then age (no total: pages only)',
      querystring: QueueQuery,
      response: { 200: Type.Object({ items: Type.Array(FindingView), nextCursor: Nullable(Type.String()) }), ...errorResponses() },
    },
  }, async (request) => triage.queue(request.principal, request.query));

  app.post('/findings/:id/state', {
    schema: {
      tags,
      summary: 'Move a finding through triage (coordinators): new -> triaging -> reproduced | not-reproduced | duplicate | out-of-scope, with a note',
      params: FindingParams,
      headers: ifMatchHeaders,
      body: Type.Object({ state: StringEnum(TRIAGE_STATES), note: Type.String({ minLength: 1, maxLength: TRIAGE_LIMITS.note }), version: Version }, { additionalProperties: false }),
      response: { 200: FindingView, ...errorResponses(404, 409, 412, 428) },
    },
  }, async (request, reply) => {
    const view = await triage.setState(request.principal, request.params.id, { ...request.body, version: expectedVersion(request.headers['if-match'], request.body.version) });
    reply.header('ETag', `"${String(view.version)}"`);
    return view;
  });

  app.get('/findings/:id/history', {
    schema: { tags, summary: 'The triage history of a finding, newest first', params: FindingParams, response: { 200: Type.Object({ items: Type.Array(TriageEvent) }), ...errorResponses(404) } },
  }, async (request) => triage.history(request.principal, request.params.id));

  app.put('/findings/:id/scores', {
    schema: {
      tags,
      summary: 'Score a finding with CVSS 4.0 and/or 3.1 vectors (coordinators); null clears one, absent leaves it',
      params: FindingParams,
      headers: ifMatchHeaders,
      body: Type.Object({ cvss4: Type.Optional(Nullable(Vector)), cvss3: Type.Optional(Nullable(Vector)), version: Version }, { additionalProperties: false }),
      response: { 200: FindingView, ...errorResponses(404, 409, 412, 428) },
    },
  }, async (request, reply) => {
    const view = await triage.setScores(request.principal, request.params.id, { ...request.body, version: expectedVersion(request.headers['if-match'], request.body.version) });
    reply.header('ETag', `"${String(view.version)}"`);
    return view;
  });

  app.put('/findings/:id/ssvc', {
    schema: {
      tags,
      summary: 'Record an SSVC decision from the CISA coordinator tree (coordinators)',
      params: FindingParams,
      headers: ifMatchHeaders,
      body: Type.Object({
        exploitation: StringEnum(EXPLOITATION),
        automatable: StringEnum(AUTOMATABLE),
        technicalImpact: StringEnum(TECHNICAL_IMPACT),
        missionWellbeing: StringEnum(MISSION_WELLBEING),
        version: Version,
      }, { additionalProperties: false }),
      response: { 200: FindingView, ...errorResponses(404, 409, 412, 428) },
    },
  }, async (request, reply) => {
    const view = await triage.setSsvc(request.principal, request.params.id, { ...request.body, version: expectedVersion(request.headers['if-match'], request.body.version) });
    reply.header('ETag', `"${String(view.version)}"`);
    return view;
  });

  app.get('/kev', {
    schema: {
      tags,
      summary: 'The stored CISA KEV catalogue: its version, when it was imported and how many entries it holds (nulls before the first import)',
      response: { 200: Type.Object({ catalogVersion: Nullable(Type.String()), importedAt: Nullable(Type.String({ format: 'date-time' })), entries: Type.Integer() }), ...errorResponses() },
    },
  }, async (request) => triage.kevStatus(request.principal));

  app.get('/kev/:cve', {
    schema: {
      tags,
      summary: 'One entry of the stored CISA KEV catalogue',
      params: Type.Object({ cve: Type.String({ pattern: '^[Cc][Vv][Ee]-[0-9]{4}-[0-9]{4,19}$' }) }, { additionalProperties: false }),
      response: { 200: KevEntry, ...errorResponses(404) },
    },
  }, async (request) => triage.kevEntry(request.principal, request.params.cve));

  app.get('/advisories/:id/kev', {
    schema: {
      tags,
      summary: 'The KEV entries an advisory carries (by id or alias), under the advisory\'s read rule',
      params: Type.Object({ id: AdvisoryId }, { additionalProperties: false }),
      response: {
        200: Type.Object({ advisoryId: Type.String(), kev: Type.Array(Type.Object({ cve: Type.String(), vendor: Type.String(), product: Type.String(), name: Type.String(), dateAdded: Type.String(), dueDate: Type.String(), knownRansomware: Type.Boolean() })) }),
        ...errorResponses(404),
      },
    },
  }, async (request) => triage.advisoryKev(request.principal, request.params.id));

  // The catalogue as CISA publishes it, raw: parsed and validated by the service against CISA's schema.
  await app.register(async (plain) => {
    const raw = plain.withTypeProvider<TypeBoxTypeProvider>();
    raw.removeAllContentTypeParsers();
    raw.addContentTypeParser(['application/json'], { parseAs: 'buffer', bodyLimit: KEV_LIMITS.bytes }, (_req, body, done) => done(null, body));
    // Refuse before reading up to 32 MiB of somebody's body.
    raw.addHook('onRequest', async (request) => triage.checkKevImport(request.principal));
    raw.setErrorHandler((err, request, reply) => {
      const code = (err as { code?: string }).code;
      const instance = request.url.split('?')[0]!;
      if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || code === 'FST_ERR_CTP_EMPTY_TYPE') {
        return sendProblem(reply, problem('unsupported-media-type', 'send the KEV catalogue as application/json', instance));
      }
      if (code === 'FST_ERR_CTP_BODY_TOO_LARGE' || (err as { statusCode?: number }).statusCode === 413) {
        return sendProblem(reply, problem('payload-too-large', `the body is larger than ${KEV_LIMITS.bytes / 1024 / 1024} MiB`, instance, { limit: KEV_LIMITS.bytes }));
      }
      const { problem: p, unexpected } = toProblem(err as Error, request);
      if (unexpected) request.log.error({ err }, 'unhandled error');
      return sendProblem(reply, p);
    });
    raw.post('/kev/import', {
      bodyLimit: KEV_LIMITS.bytes,
      schema: {
        tags,
        summary: 'Import CISA\'s Known Exploited Vulnerabilities catalogue (site administrators, coordinators): marks every finding and advisory with a KEV CVE',
        response: { 200: KevSummary, ...errorResponses(413, 415) },
      },
    }, async (request) => triage.importKev(request.principal, request.body as Buffer));
  });
};
