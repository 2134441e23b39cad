import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../composition.ts';
import { InvalidInputError } from '../domain/errors.ts';
import { OSV_API_LIMITS } from '../services/osv-api.service.ts';
import { CSRF_HEADER, SESSION_COOKIE } from './auth.ts';
import { problem, sendProblem } from './problem.ts';
import { Problem } from './schemas.ts';

/**
 * osv.dev's query API, at osv.dev's paths (`/v1/...`, not under /api/v1), so that an OSV client pointed at this
 * server's base URL finds it. Request and response shapes are osv.dev's; errors stay RFC 9457 problems (the rest
 * of the API's), with osv.dev's wording in `detail` where osv.dev has one.
 */

const Package = Type.Object({
  name: Type.Optional(Type.String({ maxLength: OSV_API_LIMITS.maxName })),
  ecosystem: Type.Optional(Type.String({ maxLength: OSV_API_LIMITS.maxEcosystem, description: 'OSV ecosystem, e.g. PyPI, npm, Debian:12' })),
  purl: Type.Optional(Type.String({ maxLength: OSV_API_LIMITS.maxPurl, description: 'package URL; with a version, leave `version` out' })),
}, { additionalProperties: false });

const Query = Type.Object({
  commit: Type.Optional(Type.String({ maxLength: OSV_API_LIMITS.maxCommit, description: 'full commit hash (matched against GIT range events; see docs/osv-api.md)' })),
  version: Type.Optional(Type.String({ maxLength: OSV_API_LIMITS.maxVersion })),
  package: Type.Optional(Package),
  page_token: Type.Optional(Type.String({ maxLength: OSV_API_LIMITS.maxPageToken })),
}, { additionalProperties: false });

// Up to 1,000 queries; more is osv.dev's 400 "Too many queries." (checked by the service, for the wording).
const Batch = Type.Object({ queries: Type.Array(Query) }, { additionalProperties: false });

const OsvRecord = Type.Object({ id: Type.String(), modified: Type.String() }, { additionalProperties: true, description: 'an OSV record (https://ossf.github.io/osv-schema/)' });

const VulnList = Type.Object({
  vulns: Type.Optional(Type.Array(OsvRecord, { description: 'absent when nothing matched, as on osv.dev' })),
  next_page_token: Type.Optional(Type.String({ description: 'repeat the query with this as page_token for the next page' })),
});

const BatchList = Type.Object({
  results: Type.Array(Type.Object({
    vulns: Type.Optional(Type.Array(Type.Object({ id: Type.String(), modified: Type.String() }))),
    next_page_token: Type.Optional(Type.String()),
  }), { description: 'one per query, in query order' }),
});

const VulnParams = Type.Object({ id: Type.String({ maxLength: 200 }) }, { additionalProperties: false });

const errors = { 400: Problem, 401: Problem, 413: Problem, 415: Problem, 429: Problem };

export const osvApiRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const osv = services.osvApi;

  // The shared auth hook reads credentials on /api/ paths only; these paths are osv.dev's, so the same rules are
  // applied here: a bearer token that is wrong in any way is a 401, never a silent fall-back to anonymous.
  app.addHook('onRequest', async (request, reply) => {
    if (request.principal?.userId) return;
    const instance = request.url.split('?')[0]!;
    const header = request.headers.authorization;
    if (header !== undefined) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
      const principal = m ? await services.auth.fromToken(m[1]!) : null;
      if (!principal) return sendProblem(reply, problem('unauthenticated', 'authentication required: the credentials are missing, invalid or expired', instance));
      request.principal = principal;
      return;
    }
    const cookie = request.cookies?.[SESSION_COOKIE];
    if (!cookie) return;
    const session = await services.auth.fromSession(cookie);
    if (!session) return sendProblem(reply, problem('unauthenticated', 'authentication required: the credentials are missing, invalid or expired', instance));
    // The queries change nothing, but a cookie-authenticated POST follows the rest of the API's CSRF rule.
    if (request.method !== 'GET' && request.headers[CSRF_HEADER] !== session.csrfToken) {
      return sendProblem(reply, problem('csrf', `cookie-authenticated requests need the ${CSRF_HEADER} header with the token from GET /api/v1/session`, instance));
    }
    request.principal = session.principal;
  });

  // `curl -d @query.json` (osv.dev's own examples) sends the JSON as a form; osv.dev reads it as JSON, so do we.
  app.addContentTypeParser(['application/x-www-form-urlencoded', 'text/plain'], { parseAs: 'string', bodyLimit: OSV_API_LIMITS.bodyBytes }, (_req, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch (err) {
      done(new InvalidInputError(`malformed JSON body: ${(err as Error).message}`), undefined);
    }
  });

  // Answers to a signed-in caller may carry labelled (embargoed, AMBER) advisories: never kept by a shared cache.
  app.addHook('onSend', async (request, reply) => {
    if (request.principal?.userId) reply.header('Cache-Control', 'no-store');
    else if (!reply.hasHeader('cache-control')) reply.header('Cache-Control', 'no-cache');
    reply.header('Vary', 'Authorization, Cookie');
  });

  app.post('/v1/query', {
    bodyLimit: OSV_API_LIMITS.bodyBytes,
    schema: {
      tags: ['osv'],
      summary: 'osv.dev-compatible: advisories affecting a package version (or purl, or commit)',
      body: Query,
      response: { 200: VulnList, ...errors },
    },
  }, async (request) => osv.query(request.principal, request.body));

  app.post('/v1/querybatch', {
    bodyLimit: OSV_API_LIMITS.bodyBytes,
    schema: {
      tags: ['osv'],
      summary: 'osv.dev-compatible: up to 1,000 queries; ids and modified only, in query order',
      body: Batch,
      response: { 200: BatchList, ...errors },
    },
  }, async (request) => osv.queryBatch(request.principal, request.body.queries));

  app.get('/v1/vulns/:id', {
    schema: {
      tags: ['osv'],
      summary: 'osv.dev-compatible: one advisory as its OSV record (withdrawn ones too)',
      params: VulnParams,
      response: { 200: OsvRecord, 404: Problem, ...errors },
    },
  }, async (request) => osv.vuln(request.principal, request.params.id));
};
