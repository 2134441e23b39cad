import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../composition.ts';
import { OrganisationInvitation } from './invitation.routes.ts';
import { Id, IdParams, PageOf, PageQuery, RoleName, Timestamp, errorResponses, expectedVersion, ifMatchHeaders } from './schemas.ts';

const User = Type.Object({
  id: Id,
  email: Type.String(),
  name: Type.String(),
  siteAdmin: Type.Boolean(),
  disabled: Type.Boolean(),
  mustChangePassword: Type.Boolean(),
  version: Type.Integer(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
}, { $id: 'User' });

export const userRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const users = services.users;

  app.get('/users', {
    schema: { tags: ['users'], summary: 'List the users you administer', querystring: PageQuery, response: { 200: PageOf(User), ...errorResponses() } },
  }, async (request) => users.list(request.principal, request.query));

  app.post('/users', {
    schema: {
      tags: ['users'],
      summary: 'Create a user; the response carries their one-time password, shown only here',
      body: Type.Object({
        email: Type.String({ maxLength: 254 }),
        name: Type.String({ minLength: 1, maxLength: 200 }),
        siteAdmin: Type.Optional(Type.Boolean()),
        memberships: Type.Optional(Type.Array(
          Type.Object({ organisationId: Id, roles: Type.Array(RoleName, { minItems: 1, maxItems: 20 }) }, { additionalProperties: false }),
          { maxItems: 50 },
        )),
      }, { additionalProperties: false }),
      description: 'Site administrators create the account (201, with its one-time password; 409 when the e-mail is '
        + 'taken). Organisation administrators invite the address into their organisations instead (202): the answer is '
        + 'the same whether or not the address already has an account, so it reveals nothing about other tenants.',
      response: {
        201: Type.Object({ user: User, oneTimePassword: Type.String() }),
        202: Type.Object({ email: Type.String(), invitations: Type.Array(OrganisationInvitation) }),
        ...errorResponses(409),
      },
    },
  }, async (request, reply) => {
    const r = await users.createOrInvite(request.principal, request.body);
    reply.header('Cache-Control', 'no-store');
    if (r.kind === 'invited') return reply.code(202).send({ email: r.email, invitations: r.invitations });
    reply.header('Location', `/api/v1/users/${r.user.id}`);
    return reply.code(201).send({ user: r.user, oneTimePassword: r.oneTimePassword! });
  });

  app.get('/users/:id', {
    schema: { tags: ['users'], summary: 'One user', params: IdParams, response: { 200: User, ...errorResponses(404) } },
  }, async (request, reply) => {
    const user = await users.get(request.principal, request.params.id);
    reply.header('ETag', `"${user.version}"`);
    return user;
  });

  app.patch('/users/:id', {
    schema: {
      tags: ['users'],
      summary: 'Change a user (If-Match required)',
      params: IdParams,
      headers: ifMatchHeaders,
      body: Type.Object({
        name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
        disabled: Type.Optional(Type.Boolean()),
        siteAdmin: Type.Optional(Type.Boolean()),
        version: Type.Optional(Type.Integer({ minimum: 1 })),
      }, { additionalProperties: false }),
      response: { 200: User, ...errorResponses(404, 409, 412, 428) },
    },
  }, async (request, reply) => {
    const { version, ...patch } = request.body;
    const user = await users.update(request.principal, request.params.id, patch, expectedVersion(request.headers['if-match'], version));
    reply.header('ETag', `"${user.version}"`);
    return user;
  });

  app.post('/users/:id/reset-password', {
    schema: {
      tags: ['users'],
      summary: 'Issue a new one-time password (site administrators); ends the user\'s sessions and revokes their API tokens',
      params: IdParams,
      response: { 200: Type.Object({ oneTimePassword: Type.String() }), ...errorResponses(404) },
    },
  }, async (request, reply) => {
    reply.header('Cache-Control', 'no-store');
    return { oneTimePassword: await users.resetPassword(request.principal, request.params.id) };
  });
};
