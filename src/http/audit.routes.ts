import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../composition.ts';
import { Nullable, PageOf, Timestamp, errorResponses } from './schemas.ts';

const AuditEntry = Type.Object({
  seq: Type.Integer(),
  at: Timestamp,
  actor: Nullable(Type.Object({ userId: Type.String(), email: Nullable(Type.String()) })),
  organisationId: Nullable(Type.String()),
  via: Type.String(),
  tokenId: Nullable(Type.String()),
  action: Type.String(),
  recordType: Type.String(),
  recordId: Type.String(),
  beforeDigest: Nullable(Type.String()),
  afterDigest: Nullable(Type.String()),
  prevHash: Type.String(),
  hash: Type.String(),
}, { $id: 'AuditEntry' });

export const auditRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.get('/audit', {
    schema: {
      tags: ['audit'],
      summary: 'The audit trail, newest first',
      querystring: Type.Object({
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
        cursor: Type.Optional(Type.String({ maxLength: 200 })),
        recordType: Type.Optional(Type.String({ maxLength: 100 })),
        recordId: Type.Optional(Type.String({ maxLength: 200 })),
      }, { additionalProperties: false }),
      response: { 200: PageOf(AuditEntry), ...errorResponses() },
    },
  }, async (request) => services.audit.list(request.principal, request.query));
};
