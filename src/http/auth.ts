import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ANONYMOUS, type Principal } from '../domain/policy/access-label.ts';
import type { Config } from '../config.ts';
import { DEVICE_TTL_MS, type AuthService } from '../services/auth.service.ts';
import { safeEqual } from '../services/secrets.ts';
import { problem, sendProblem } from './problem.ts';

export const SESSION_COOKIE = 'ch_session';
/** Marks a browser that signed in before (OWASP device cookie); sent only to the sign-in route. */
export const DEVICE_COOKIE = 'ch_device';
const DEVICE_COOKIE_PATH = '/api/v1/session';
export const CSRF_HEADER = 'x-csrf-token';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
    csrfToken: string | null;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
// Signing in has no session yet to bind a token to; SameSite=Lax already stops cross-site form posts from carrying one.
const CSRF_EXEMPT = new Set(['POST /api/v1/session']);

export function isSecureRequest(request: FastifyRequest, config: Config): boolean {
  if (config.secureCookies === 'always') return true;
  if (config.secureCookies === 'never') return false;
  return request.protocol === 'https';
}

export function setSessionCookie(reply: FastifyReply, request: FastifyRequest, config: Config, value: string, expiresAt: string): void {
  reply.setCookie(SESSION_COOKIE, value, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: isSecureRequest(request, config),
    expires: new Date(expiresAt),
  });
}

export function setDeviceCookie(reply: FastifyReply, request: FastifyRequest, config: Config, value: string): void {
  reply.setCookie(DEVICE_COOKIE, value, {
    path: DEVICE_COOKIE_PATH,
    httpOnly: true,
    sameSite: 'strict',
    secure: isSecureRequest(request, config),
    maxAge: Math.floor(DEVICE_TTL_MS / 1000),
  });
}

export function clearSessionCookie(reply: FastifyReply, request: FastifyRequest, config: Config): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure: isSecureRequest(request, config) });
}

/**
 * Works out who is calling before any route runs. A bearer token that is wrong in any way is a 401 (never a silent
 * fall-back to anonymous); a missing or stale session cookie just means anonymous. Cookie-authenticated writes must
 * carry the session's CSRF token.
 */
export const authPlugin = fp<{ auth: AuthService; config: Config }>(async (app, { auth, config }) => {
  app.decorateRequest('principal', null as unknown as Principal);
  app.decorateRequest('csrfToken', null);
  app.addHook('onRequest', async (request, reply) => {
    request.principal = ANONYMOUS;
    request.csrfToken = null;
    if (!request.url.startsWith('/api/')) return;
    const header = request.headers.authorization;
    if (header !== undefined) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
      const principal = m ? await auth.fromToken(m[1]!) : null;
      if (!principal) return sendProblem(reply, problem('unauthenticated', 'authentication required: the credentials are missing, invalid or expired', request.url.split('?')[0]!));
      request.principal = principal;
      return;
    }
    const cookie = request.cookies[SESSION_COOKIE];
    if (!cookie) return;
    const routeKey = `${request.method} ${request.url.split('?')[0]}`;
    const session = await auth.fromSession(cookie);
    if (!session) {
      // An ended or expired session is told so (and forgotten), rather than silently served as the public would be,
      // so a page whose session was ended elsewhere sends its user to sign in. Signing in again is always allowed.
      if (CSRF_EXEMPT.has(routeKey)) return;
      clearSessionCookie(reply, request, config);
      return sendProblem(reply, problem('unauthenticated', 'authentication required: the credentials are missing, invalid or expired', request.url.split('?')[0]!));
    }
    request.principal = session.principal;
    request.csrfToken = session.csrfToken;
    if (!SAFE_METHODS.has(request.method) && !CSRF_EXEMPT.has(routeKey)) {
      const sent = request.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || !safeEqual(sent, session.csrfToken)) {
        return sendProblem(reply, problem('csrf', `cookie-authenticated writes need the ${CSRF_HEADER} header with the token from GET /api/v1/session`, request.url.split('?')[0]!));
      }
    }
  });
});
