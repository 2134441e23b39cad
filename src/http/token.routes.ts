import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../composition.ts';
import { MAX_TOKEN_DAYS } from '../services/token.service.ts';
import { Id, IdParams, Nullable, Scope, Timestamp, errorResponses } from './schemas.ts';

const ApiToken = Type.Object({
  id: Id,
  name: Type.String(),
  userId: Id,
  scopes: Type.Array(Scope),
  prefix: Type.String({ description: 'the first characters of the secret, to recognise it' }),
  createdAt: Timestamp,
  expiresAt: Nullable(Timestamp),
  lastUsedAt: Nullable(Timestamp),
  revokedAt: Nullable(Timestamp),
}, { $id: 'ApiToken' });

export const tokenRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.get('/tokens', {
    schema: {
      tags: ['tokens'],
      summary: 'Your API tokens (site administrators: anyone\'s with userId)',
      querystring: Type.Object({ userId: Type.Optional(Id) }, { additionalProperties: false }),
      response: { 200: Type.Object({ items: Type.Array(ApiToken) }), ...errorResponses(404) },
    },
  }, async (request) => ({ items: await services.tokens.list(request.principal, request.query.userId) }));

  app.post('/tokens', {
    schema: {
      tags: ['tokens'],
      summary: 'Create an API token; the secret is in this response only',
      body: Type.Object({
        name: Type.String({ minLength: 1, maxLength: 100 }),
        scopes: Type.Array(Scope, { minItems: 1, maxItems: 3 }),
        expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_TOKEN_DAYS })),
      }, { additionalProperties: false }),
      response: { 201: Type.Object({ token: ApiToken, secret: Type.String() }), ...errorResponses() },
    },
  }, async (request, reply) => {
    const created = await services.tokens.create(request.principal, request.body);
    reply.header('Cache-Control', 'no-store');
    return reply.code(201).send(created);
  });

  app.delete('/tokens/:id', {
    schema: { tags: ['tokens'], summary: 'Revoke a token', params: IdParams, response: { 204: Type.Null(), ...errorResponses(404) } },
  }, async (request, reply) => {
    await services.tokens.revoke(request.principal, request.params.id);
    return reply.code(204).send(null);
  });
};
