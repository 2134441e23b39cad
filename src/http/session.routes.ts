import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import { hashSecret } from '../services/secrets.ts';
import type { Services } from '../composition.ts';
import { UnauthenticatedError } from '../domain/errors.ts';
import type { Principal } from '../domain/policy/access-label.ts';
import { DEVICE_COOKIE, clearSessionCookie, setDeviceCookie, setSessionCookie } from './auth.ts';
import { Id, errorResponses } from './schemas.ts';

const SessionView = Type.Object({
  user: Type.Object({
    id: Id,
    email: Type.String(),
    name: Type.String(),
    siteAdmin: Type.Boolean(),
    mustChangePassword: Type.Boolean(),
  }),
  memberships: Type.Array(
    Type.Object({ organisationId: Id, organisationName: Type.String(), kind: Type.String(), roles: Type.Array(Type.String()) }),
  ),
  csrfToken: Type.String(),
});

/**
 * The flood guard on signing in counts a browser with a device cookie apart from its address, so a burst from
 * someone else behind the same NAT cannot keep the owner of a known device out for a minute at a time. A forged
 * cookie only buys an attacker a fresh flood bucket: the back-off in AuthService still counts their guesses against
 * the address and the account. The cookie header is read here because rate limiting runs before cookie parsing.
 */
function signInRateKey(request: FastifyRequest): string {
  const m = new RegExp(`(?:^|;\\s*)${DEVICE_COOKIE}=([A-Za-z0-9_-]{43})(?:;|$)`).exec(request.headers.cookie ?? '');
  return m ? `device:${hashSecret(m[1]!)}` : `ip:${request.ip}`;
}

export const sessionRoutes: FastifyPluginAsyncTypebox<{ services: Services; config: Config }> = async (app, { services, config }) => {
  async function view(p: Principal, csrfToken: string) {
    const user = await services.users.findByEmail(p.email!);
    if (!user) throw new UnauthenticatedError();
    const orgIds = [...p.memberships.keys()];
    const names = new Map<string, string>();
    for (const id of orgIds) {
      const org = await services.organisations.get({ ...p, mustChangePassword: false }, id).catch(() => null);
      if (org) names.set(id, org.name);
    }
    return {
      user: { id: user.id, email: user.email, name: user.name, siteAdmin: user.siteAdmin, mustChangePassword: user.mustChangePassword },
      memberships: [...p.memberships.values()].map((m) => ({
        organisationId: m.organisationId,
        organisationName: names.get(m.organisationId) ?? '',
        kind: m.kind,
        roles: [...m.roles].sort(),
      })),
      csrfToken,
    };
  }

  app.post(
    '/session',
    {
      schema: {
        tags: ['session'],
        summary: 'Sign in with e-mail and password',
        body: Type.Object({ email: Type.String({ maxLength: 254 }), password: Type.String({ maxLength: 1024 }) }, { additionalProperties: false }),
        response: { 200: SessionView, ...errorResponses() },
      },
      config: { rateLimit: { max: 30, timeWindow: '1 minute', keyGenerator: signInRateKey } },
    },
    async (request, reply) => {
      const r = await services.auth.signIn(request.body.email, request.body.password, request.ip, request.cookies[DEVICE_COOKIE]);
      setSessionCookie(reply, request, config, r.sessionSecret, r.expiresAt);
      setDeviceCookie(reply, request, config, r.deviceSecret);
      return view(r.principal, r.csrfToken);
    },
  );

  app.get('/session', { schema: { tags: ['session'], summary: 'Who am I', response: { 200: SessionView, ...errorResponses() } } }, async (request) => {
    const p = request.principal;
    if (!p.userId) throw new UnauthenticatedError();
    return view(p, request.csrfToken ?? '');
  });

  app.delete('/session', { schema: { tags: ['session'], summary: 'Sign out', response: { 204: Type.Null(), ...errorResponses() } } }, async (request, reply) => {
    await services.auth.signOut(request.principal);
    clearSessionCookie(reply, request, config);
    return reply.code(204).send(null);
  });

  app.post(
    '/session/revoke-all',
    { schema: { tags: ['session'], summary: 'Sign out everywhere (write scope, settled password)', response: { 200: Type.Object({ ended: Type.Integer() }), ...errorResponses() } } },
    async (request, reply) => {
      const ended = await services.auth.signOutEverywhere(request.principal);
      clearSessionCookie(reply, request, config);
      return { ended };
    },
  );

  app.post(
    '/me/password',
    {
      schema: {
        tags: ['session'],
        summary: 'Change your password (write scope); ends your other sessions and, unless revokeTokens is false, your API tokens',
        body: Type.Object(
          {
            currentPassword: Type.String({ maxLength: 1024 }),
            newPassword: Type.String({ maxLength: 1024 }),
            revokeTokens: Type.Optional(Type.Boolean({ default: true, description: 'revoke your API tokens too (default true)' })),
          },
          { additionalProperties: false },
        ),
        response: { 204: Type.Null(), ...errorResponses() },
      },
      config: { rateLimit: { max: 30, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const { currentPassword, newPassword, revokeTokens } = request.body;
      await services.auth.changePassword(request.principal, currentPassword, newPassword, revokeTokens === undefined ? {} : { revokeTokens });
      return reply.code(204).send(null);
    },
  );
};
