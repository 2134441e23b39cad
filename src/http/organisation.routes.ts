import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../composition.ts';
import { OrganisationInvitation } from './invitation.routes.ts';
import { AccessLabel, Id, IdParams, LabelInput, OrganisationKind, PageOf, PageQuery, RoleName, Sector, Timestamp, errorResponses, expectedVersion, ifMatchHeaders } from './schemas.ts';

const Organisation = Type.Object({
  id: Id,
  name: Type.String(),
  kind: OrganisationKind,
  sectors: Type.Array(Sector),
  label: AccessLabel,
  version: Type.Integer(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
}, { $id: 'Organisation' });

const Member = Type.Object({ userId: Id, email: Type.String(), name: Type.String(), roles: Type.Array(Type.String()) });
const MemberParams = Type.Object({ id: Id, userId: Id }, { additionalProperties: false });

export const organisationRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const orgs = services.organisations;

  app.get('/organisations', {
    schema: { tags: ['organisations'], summary: 'List the organisations you can see', querystring: PageQuery, response: { 200: PageOf(Organisation), ...errorResponses() } },
  }, async (request) => orgs.list(request.principal, request.query));

  app.post('/organisations', {
    schema: {
      tags: ['organisations'],
      summary: 'Create an organisation (site administrators)',
      body: Type.Object({
        name: Type.String({ minLength: 2, maxLength: 200 }),
        kind: OrganisationKind,
        sectors: Type.Optional(Type.Array(Sector, { maxItems: 16 })),
        label: Type.Optional(LabelInput),
      }, { additionalProperties: false }),
      response: { 201: Organisation, ...errorResponses(409) },
    },
  }, async (request, reply) => {
    const org = await orgs.create(request.principal, request.body);
    reply.header('ETag', `"${org.version}"`).header('Location', `/api/v1/organisations/${org.id}`);
    return reply.code(201).send(org);
  });

  app.get('/organisations/:id', {
    schema: { tags: ['organisations'], summary: 'One organisation', params: IdParams, response: { 200: Organisation, ...errorResponses(404) } },
  }, async (request, reply) => {
    const org = await orgs.get(request.principal, request.params.id);
    reply.header('ETag', `"${org.version}"`);
    return org;
  });

  app.patch('/organisations/:id', {
    schema: {
      tags: ['organisations'],
      summary: 'Change an organisation (If-Match required)',
      params: IdParams,
      headers: ifMatchHeaders,
      body: Type.Object({
        name: Type.Optional(Type.String({ minLength: 2, maxLength: 200 })),
        sectors: Type.Optional(Type.Array(Sector, { maxItems: 16 })),
        label: Type.Optional(LabelInput),
        version: Type.Optional(Type.Integer({ minimum: 1 })),
      }, { additionalProperties: false }),
      response: { 200: Organisation, ...errorResponses(404, 409, 412, 428) },
    },
  }, async (request, reply) => {
    const { version, ...patch } = request.body;
    const org = await orgs.update(request.principal, request.params.id, patch, expectedVersion(request.headers['if-match'], version));
    reply.header('ETag', `"${org.version}"`);
    return org;
  });

  app.get('/organisations/:id/members', {
    schema: { tags: ['organisations'], summary: 'Members of an organisation', params: IdParams, response: { 200: Type.Array(Member), ...errorResponses(404) } },
  }, async (request) => orgs.members(request.principal, request.params.id));

  app.put('/organisations/:id/members/:userId', {
    schema: {
      tags: ['organisations'],
      summary: 'Set the roles of a user you administer (200), or invite anyone else to join (202)',
      description: 'Users the caller cannot see (members of other organisations only, or ids that exist nowhere) are '
        + 'never added directly: they get an invitation to accept, and the 202 answer is the same whether or not the user exists.',
      params: MemberParams,
      body: Type.Object({ roles: Type.Array(RoleName, { minItems: 1, maxItems: 20 }) }, { additionalProperties: false }),
      response: { 200: Member, 202: OrganisationInvitation, ...errorResponses(404) },
    },
  }, async (request, reply) => {
    const r = await orgs.setMember(request.principal, request.params.id, request.params.userId, request.body.roles);
    if (r.kind === 'invitation') return reply.code(202).send(r.invitation);
    return reply.code(200).send(r.member);
  });

  app.delete('/organisations/:id/members/:userId', {
    schema: { tags: ['organisations'], summary: 'Remove a member', params: MemberParams, response: { 204: Type.Null(), ...errorResponses(404) } },
  }, async (request, reply) => {
    await orgs.removeMember(request.principal, request.params.id, request.params.userId);
    return reply.code(204).send(null);
  });
};
