import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { sql } from 'kysely';
import type { Container } from '../composition.ts';
import { InvalidInputError } from '../domain/errors.ts';
import { pendingMigrations } from '../store/db.ts';
import { authPlugin } from './auth.ts';
import { advisoryRoutes } from './advisory.routes.ts';
import { advisoryAtomRoutes, advisoryVexRoutes } from './advisory-feed.routes.ts';
import { advisoryImportRoutes } from './advisory-import.routes.ts';
import { csafRoutes } from './csaf.routes.ts';
import { osvApiRoutes } from './osv-api.routes.ts';
import { auditRoutes } from './audit.routes.ts';
import { inventoryRoutes } from './inventory.routes.ts';
import { invitationRoutes } from './invitation.routes.ts';
import { organisationRoutes } from './organisation.routes.ts';
import { problem, sendProblem, toProblem } from './problem.ts';
import { Problem } from './schemas.ts';
import { sessionRoutes } from './session.routes.ts';
import { tokenRoutes } from './token.routes.ts';
import { userRoutes } from './user.routes.ts';
import { findingRoutes } from './finding.routes.ts';
import { campaignRoutes } from './campaign.routes.ts';
import { triageRoutes } from './triage.routes.ts';
import { caseRoutes } from './case.routes.ts';
import { caseThreadRoutes } from './case-thread.routes.ts';
import { notificationRoutes } from './notification.routes.ts';
import { inventoryFindingRoutes } from './inventory-finding.routes.ts';
import { dashboardRoutes } from './dashboard.routes.ts';

export const API_PREFIX = '/api/v1';

function makeAjv(coerce: boolean): Ajv {
  // removeAdditional stays off: an unknown field is a client bug to report, not something to drop silently.
  const ajv = new Ajv({ allErrors: false, removeAdditional: false, useDefaults: true, coerceTypes: coerce ? 'array' : false, strict: false });
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  return ajv;
}

/** Where a NUL character sits in a decoded JSON value (keys included), as a path, or null. Explicit stack: bodies may nest deep. */
export function findNul(value: unknown): string | null {
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return path.slice(1) || 'the value';
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) stack.push([v[i], `${path}/${i}`]);
    } else if (v !== null && typeof v === 'object') {
      for (const k in v) {
        if (k.includes('\u0000')) return `${path.slice(1) || 'the object'} (a field name)`;
        stack.push([(v as Record<string, unknown>)[k], `${path}/${k}`]);
      }
    }
  }
  return null;
}

export interface AppOptions {
  /** Loggers are off in tests unless asked for. */
  logger?: boolean;
}

export async function buildApp(container: Container, opts: AppOptions = {}): Promise<FastifyInstance> {
  const { config, services } = container;
  const app = Fastify({
    logger: opts.logger === false ? false : {
      level: config.logLevel,
      redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
    },
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
    },
    requestIdHeader: false,
    ajv: { customOptions: { removeAdditional: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Bodies are validated exactly as sent; query strings and path parameters arrive as text and are coerced.
  const bodyAjv = makeAjv(false);
  const paramAjv = makeAjv(true);
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? bodyAjv : paramAjv).compile(schema as object));

  app.addHook('onSend', async (request, reply) => {
    reply.header('X-Request-Id', request.id);
    // API answers carry labelled data: no browser or proxy cache may keep a copy.
    if (request.url.startsWith('/api/') && !reply.hasHeader('cache-control')) reply.header('Cache-Control', 'no-store');
  });

  // PostgreSQL text cannot hold NUL (a 500 from the driver before): one check here, for every JSON body, query
  // string and path parameter, before any route sees them. Raw upload bodies (SBOMs) are checked by their parser.
  app.addHook('preValidation', async (request) => {
    const at = findNul({ params: request.params, query: request.query, ...(Buffer.isBuffer(request.body) || typeof request.body === 'string' ? {} : { body: request.body }) });
    if (at !== null) throw new InvalidInputError(`${at} contains a NUL character, which is not accepted in text`, { field: at });
  });

  app.setErrorHandler((err, request, reply) => {
    const { problem: p, unexpected } = toProblem(err as Error, request);
    if (unexpected) request.log.error({ err }, 'unhandled error');
    return sendProblem(reply, p);
  });

  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
      },
    },
    // HSTS only means something over TLS; the proxy in front sets it.
    strictTransportSecurity: false,
  });
  await app.register(rateLimit, {
    global: true,
    max: config.rateLimitPerMinute,
    timeWindow: '1 minute',
    errorResponseBuilder: (_req, ctx) => {
      const e = new Error(`rate limit exceeded: ${ctx.max} requests per ${ctx.after}; retry later`) as Error & { statusCode: number; retryAfter: number };
      e.statusCode = 429;
      e.retryAfter = Math.ceil(ctx.ttl / 1000);
      return e;
    },
  });
  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Clearinghouse API', version: '1.0.0', description: 'AI-era vulnerability coordination. Errors are RFC 9457 problem documents.' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'API token (chk_...)' },
          session: { type: 'apiKey', in: 'cookie', name: 'ch_session', description: 'Browser session; writes also need X-CSRF-Token' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  app.addSchema(Problem);

  await app.register(authPlugin, { auth: services.auth, config });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/healthz', { schema: { tags: ['health'], summary: 'The process is up', response: { 200: Type.Object({ status: Type.Literal('ok') }) } }, config: { rateLimit: false } }, async () => ({ status: 'ok' as const }));
  app.get('/readyz', {
    schema: { tags: ['health'], summary: 'The database answers and its migrations are applied', response: { 200: Type.Object({ status: Type.Literal('ready'), database: Type.String() }), 503: Problem } },
    config: { rateLimit: false },
  }, async (request, reply) => {
    try {
      await sql`select 1`.execute(container.handle.db);
      const pending = await pendingMigrations(container.handle.db);
      if (pending.length) return sendProblem(reply, problem('internal', `migrations pending: ${pending.join(', ')}`, request.url, {}, 503));
      return { status: 'ready' as const, database: container.handle.driver };
    } catch {
      return sendProblem(reply, problem('internal', 'the database does not answer', request.url, {}, 503));
    }
  });

  await app.register(async (api) => {
    await api.register(sessionRoutes, { services, config });
    await api.register(organisationRoutes, { services });
    await api.register(userRoutes, { services });
    await api.register(invitationRoutes, { services });
    await api.register(tokenRoutes, { services });
    await api.register(auditRoutes, { services });
    await api.register(inventoryRoutes, { services });
    await api.register(advisoryRoutes, { services });
    await api.register(advisoryImportRoutes, { services });
    await api.register(advisoryVexRoutes, { services, config });
    await api.register(findingRoutes, { services });
    await api.register(campaignRoutes, { services });
    await api.register(triageRoutes, { services });
    await api.register(caseRoutes, { services });
    await api.register(caseThreadRoutes, { services });
    await api.register(notificationRoutes, { services });
    await api.register(inventoryFindingRoutes, { services });
    await api.register(dashboardRoutes, { services });
  }, { prefix: API_PREFIX });
  // Where OSV clients, CSAF aggregators and feed readers expect them: outside /api/v1, at the paths their standards name.
  await app.register(osvApiRoutes, { services });
  await app.register(csafRoutes, { services });
  await app.register(advisoryAtomRoutes, { services, config });

  const hasWeb = existsSync(join(config.webRoot, 'index.html'));
  if (hasWeb) {
    await app.register(fastifyStatic, { root: config.webRoot, wildcard: false, index: false, maxAge: '1h', immutable: false });
    app.get('/', { schema: { hide: true } }, (_req, reply) => reply.header('Cache-Control', 'no-cache').sendFile('index.html'));
  }
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!;
    const wantsPage = request.method === 'GET' && !path.startsWith('/api/') && (request.headers.accept ?? '').includes('text/html');
    if (wantsPage && hasWeb) return reply.header('Cache-Control', 'no-cache').sendFile('index.html');
    if (wantsPage) return reply.type('text/plain').code(503).send('The web UI is not built: run `npm run build:web` (npm start does it for you).');
    return sendProblem(reply, problem('not-found', `no route for ${request.method} ${path}`, path));
  });

  return app;
}
