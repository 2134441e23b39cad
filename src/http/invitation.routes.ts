import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../composition.ts';
import { Id, IdParams, Nullable, RoleName, Timestamp, errorResponses } from './schemas.ts';

/** An invitation as the inviting organisation's administrators see it: what they supplied, nothing about the invitee. */
export const OrganisationInvitation = Type.Object({
  id: Id,
  organisationId: Id,
  userId: Nullable(Type.String()),
  email: Nullable(Type.String()),
  roles: Type.Array(RoleName),
  createdAt: Timestamp,
  expiresAt: Timestamp,
}, { $id: 'OrganisationInvitation' });

const MyInvitation = Type.Object({
  id: Id,
  organisationId: Id,
  organisationName: Type.String(),
  roles: Type.Array(Type.String()),
  createdAt: Timestamp,
  expiresAt: Timestamp,
}, { $id: 'MyInvitation' });

const OrgInvitationParams = Type.Object({ id: Id, invitationId: Id }, { additionalProperties: false });

export const invitationRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const inv = services.invitations;

  app.get('/me/invitations', {
    schema: { tags: ['invitations'], summary: 'Invitations waiting for you', response: { 200: Type.Object({ items: Type.Array(MyInvitation) }), ...errorResponses() } },
  }, async (request) => ({ items: await inv.mine(request.principal) }));

  app.post('/me/invitations/:id/accept', {
    schema: { tags: ['invitations'], summary: 'Join the organisation with the invited roles', params: IdParams, response: { 204: Type.Null(), ...errorResponses(404) } },
  }, async (request, reply) => {
    await inv.accept(request.principal, request.params.id);
    return reply.code(204).send(null);
  });

  app.post('/me/invitations/:id/decline', {
    schema: { tags: ['invitations'], summary: 'Decline an invitation', params: IdParams, response: { 204: Type.Null(), ...errorResponses(404) } },
  }, async (request, reply) => {
    await inv.decline(request.principal, request.params.id);
    return reply.code(204).send(null);
  });

  app.get('/organisations/:id/invitations', {
    schema: {
      tags: ['invitations'],
      summary: "The organisation's pending invitations (its administrators and site administrators)",
      params: IdParams,
      response: { 200: Type.Object({ items: Type.Array(OrganisationInvitation) }), ...errorResponses(404) },
    },
  }, async (request) => ({ items: await inv.ofOrganisation(request.principal, request.params.id) }));

  app.delete('/organisations/:id/invitations/:invitationId', {
    schema: { tags: ['invitations'], summary: 'Withdraw an invitation', params: OrgInvitationParams, response: { 204: Type.Null(), ...errorResponses(404) } },
  }, async (request, reply) => {
    await inv.revoke(request.principal, request.params.id, request.params.invitationId);
    return reply.code(204).send(null);
  });
};
