import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../composition.ts';
import { AFFECTED_LIMITS } from '../services/affected.service.ts';
import { Id, Nullable, errorResponses } from './schemas.ts';

/** One OSV record with every vulnerable version listed can run to a few megabytes (the kernel's do). */
const ADVISORY_BODY_LIMIT = 5 * 1024 * 1024;

const AffectedReport = Type.Object({
  advisory: Type.Object({
    id: Type.String(),
    aliases: Type.Array(Type.String()),
    summary: Nullable(Type.String()),
    modified: Nullable(Type.String()),
    withdrawn: Nullable(Type.String()),
  }),
  affected: Type.Array(Type.Object({
    organisationId: Id,
    inventoryId: Id,
    inventoryName: Type.String(),
    component: Type.Object({ purl: Type.String(), ecosystem: Type.String(), name: Type.String(), version: Type.String() }),
    fixed: Nullable(Type.String({ description: 'lowest fixed version above the installed one' })),
  })),
  problems: Type.Array(Type.String(), { description: 'parts of the advisory, or stored versions you may read, that could not be evaluated' }),
  nextCursor: Nullable(Type.String({ description: 'pass as `cursor` (with the same advisory) for the next page; null on the last page' })),
}, { $id: 'AffectedReport' });

const AffectedQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: AFFECTED_LIMITS.maxLimit, default: AFFECTED_LIMITS.defaultLimit })),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
}, { additionalProperties: false });

export const advisoryRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.post('/advisories/affected', {
    bodyLimit: ADVISORY_BODY_LIMIT,
    schema: {
      tags: ['advisories'],
      summary: 'Which stored components, in inventories you can read, does this OSV advisory affect?',
      description: 'The body is one OSV record (https://ossf.github.io/osv-schema/). Nothing is stored. A withdrawn advisory affects nothing. '
        + 'Requires sign-in. The answer is paged (`limit`, `cursor` from the previous page\'s `nextCursor`, sent with the same advisory). '
        + `One advisory may name at most ${AFFECTED_LIMITS.packages} packages, ${AFFECTED_LIMITS.repos} GIT repositories, ${AFFECTED_LIMITS.ranges} ranges, `
        + `${AFFECTED_LIMITS.events} range events and ${AFFECTED_LIMITS.events} listed versions, nested at most ${AFFECTED_LIMITS.depth} levels (413 / 400 otherwise).`,
      querystring: AffectedQuery,
      body: Type.Unknown({ description: 'one OSV record' }),
      response: { 200: AffectedReport, ...errorResponses(413) },
    },
  }, async (request) => services.affected.affectedBy(request.principal, request.body, { limit: request.query.limit, cursor: request.query.cursor }));
};
