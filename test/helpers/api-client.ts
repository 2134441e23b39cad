import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

export interface Caller {
  cookie?: string;
  csrf?: string;
  bearer?: string;
}

export interface Res {
  status: number;
  body: any;
  headers: LightMyRequestResponse['headers'];
}

/** Thin wrapper over app.inject that speaks the API's conventions (cookie + CSRF, or bearer). */
export class ApiClient {
  constructor(readonly app: FastifyInstance) {}

  async call(method: string, url: string, caller: Caller = {}, body?: unknown, headers: Record<string, string> = {}): Promise<Res> {
    const h: Record<string, string> = { ...headers };
    if (caller.cookie) h.cookie = caller.cookie;
    if (caller.csrf) h['x-csrf-token'] = caller.csrf;
    if (caller.bearer) h.authorization = `Bearer ${caller.bearer}`;
    const res = await this.app.inject({
      method: method as 'GET',
      url: url.startsWith('/') && !url.startsWith('/api/') && !url.startsWith('/openapi') && !url.startsWith('/docs') && !url.startsWith('/healthz') && !url.startsWith('/readyz') ? `/api/v1${url}` : url,
      headers: h,
      ...(body === undefined ? {} : typeof body === 'string' || Buffer.isBuffer(body) ? { payload: body } : { payload: body as object }),
    });
    let parsed: unknown = res.body;
    try {
      parsed = res.body ? JSON.parse(res.body) : null;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.statusCode, body: parsed, headers: res.headers };
  }

  get(url: string, c?: Caller) {
    return this.call('GET', url, c);
  }
  post(url: string, c: Caller, body?: unknown, headers?: Record<string, string>) {
    return this.call('POST', url, c, body, headers);
  }
  patch(url: string, c: Caller, body?: unknown, headers?: Record<string, string>) {
    return this.call('PATCH', url, c, body, headers);
  }
  put(url: string, c: Caller, body?: unknown) {
    return this.call('PUT', url, c, body);
  }
  delete(url: string, c: Caller) {
    return this.call('DELETE', url, c);
  }

  /** Signs in and returns a caller that carries the session cookie and CSRF token. */
  async signIn(email: string, password: string): Promise<Caller & { body: any }> {
    const res = await this.post('/session', {}, { email, password });
    if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${JSON.stringify(res.body)}`);
    const setCookie = res.headers['set-cookie'];
    const raw = Array.isArray(setCookie) ? setCookie[0]! : String(setCookie);
    return { cookie: raw.split(';')[0]!, csrf: res.body.csrfToken, body: res.body };
  }

  /** Signs in with a one-time password and replaces it, returning a caller ready for everything. */
  async signInFresh(email: string, oneTime: string, newPassword = 'correct horse battery staple'): Promise<Caller> {
    const c = await this.signIn(email, oneTime);
    const r = await this.post('/me/password', c, { currentPassword: oneTime, newPassword });
    if (r.status !== 204) throw new Error(`password change failed: ${r.status} ${JSON.stringify(r.body)}`);
    return { cookie: c.cookie!, csrf: c.csrf! };
  }
}

export const PROBLEM = 'https://clearinghouse.dev/problems/';
