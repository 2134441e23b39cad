import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { api, ApiError, errorMessage, onUnauthenticated, setCsrfToken } from './api.ts';

interface Call {
  url: string;
  init: RequestInit;
}

let calls: Call[] = [];
let answers: (() => Response | Promise<Response>)[] = [];
const realFetch = globalThis.fetch;

const json = (status: number, body: unknown, headers: Record<string, string> = {}) => () =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
const problem = (status: number, code: string, detail: string, headers: Record<string, string> = {}) => () =>
  new Response(JSON.stringify({ type: `https://clearinghouse.dev/problems/${code}`, title: code, status, detail }), {
    status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  });
const header = (call: Call, name: string) => new Headers(call.init.headers).get(name);

const session = { user: { id: 'u1', email: 'a@example.org', name: 'A', siteAdmin: true, mustChangePassword: false }, memberships: [], csrfToken: 'csrf-1' };

beforeEach(() => {
  calls = [];
  answers = [];
  setCsrfToken(null);
  globalThis.fetch = (async (url: string | URL | Request, init: RequestInit = {}) => {
    calls.push({ url: String(url), init });
    const next = answers.shift();
    if (!next) throw new Error(`unexpected request ${String(url)}`);
    return next();
  }) as typeof fetch;
});
afterEach(() => {
  globalThis.fetch = realFetch;
});

describe('API client', () => {
  it('sends the session cookie on every call and the CSRF token from sign-in on writes only', async () => {
    answers.push(json(200, session), json(200, { items: [], nextCursor: null }), () => new Response(null, { status: 204 }));
    await api.signIn('a@example.org', 'pw');
    await api.listOrganisations({ limit: 10, cursor: 'c 1' });
    await api.revokeToken('t/1');
    assert.deepEqual(
      calls.map((c) => [c.init.method, c.url]),
      [
        ['POST', '/api/v1/session'],
        ['GET', '/api/v1/organisations?limit=10&cursor=c+1'],
        ['DELETE', '/api/v1/tokens/t%2F1'],
      ],
    );
    for (const c of calls) assert.equal(c.init.credentials, 'same-origin');
    assert.equal(header(calls[0]!, 'X-CSRF-Token'), null, 'no token before there is a session');
    assert.equal(JSON.parse(String(calls[0]!.init.body)).email, 'a@example.org');
    assert.equal(header(calls[0]!, 'Content-Type'), 'application/json');
    assert.equal(header(calls[1]!, 'X-CSRF-Token'), null, 'reads carry no CSRF token');
    assert.equal(header(calls[2]!, 'X-CSRF-Token'), 'csrf-1');
  });

  it('forgets the CSRF token on sign-out', async () => {
    answers.push(json(200, session), () => new Response(null, { status: 204 }), problem(401, 'unauthenticated', 'Sign in.'));
    await api.signIn('a@example.org', 'pw');
    await api.signOut();
    await assert.rejects(api.revokeToken('t1'));
    assert.equal(header(calls[1]!, 'X-CSRF-Token'), 'csrf-1');
    assert.equal(header(calls[2]!, 'X-CSRF-Token'), null);
  });

  it('turns a problem document into an ApiError carrying it, with Retry-After in seconds', async () => {
    answers.push(problem(429, 'rate-limited', 'Too many failed sign-ins.', { 'Retry-After': '8' }));
    const error = await api.signIn('a@example.org', 'bad').then(
      () => assert.fail('should reject'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof ApiError);
    assert.equal(error.status, 429);
    assert.equal(error.code, 'rate-limited');
    assert.equal(error.retryAfter, 8);
    assert.equal(error.problem.detail, 'Too many failed sign-ins.');
    assert.equal(errorMessage(error), 'Too many failed sign-ins.');
  });

  it('lists field errors of invalid-input after the detail', async () => {
    answers.push(() =>
      new Response(
        JSON.stringify({
          type: 'https://clearinghouse.dev/problems/invalid-input',
          title: 'Invalid input',
          status: 400,
          detail: 'The request is not valid.',
          errors: [{ path: '/name', message: 'must not be empty' }],
        }),
        { status: 400, headers: { 'content-type': 'application/problem+json' } },
      ),
    );
    const error = await api.createOrganisation({ name: '', kind: 'vendor' }).catch((e: unknown) => e);
    assert.equal(errorMessage(error), 'The request is not valid. /name: must not be empty');
  });

  it('still gives a readable error for a non-JSON failure and for an unreachable server', async () => {
    answers.push(() => new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }));
    answers.push(() => Promise.reject(new TypeError('fetch failed')));
    const gateway = await api.listUsers().catch((e: unknown) => e);
    assert.ok(gateway instanceof ApiError);
    assert.equal(gateway.status, 502);
    assert.match(errorMessage(gateway), /502/);
    const offline = await api.listUsers().catch((e: unknown) => e);
    assert.ok(offline instanceof ApiError);
    assert.equal(offline.status, 0);
    assert.match(errorMessage(offline), /could not be reached/);
  });

  it('tells listeners when a call finds the session gone, but not for the session probe or sign-in', async () => {
    let heard = 0;
    const stop = onUnauthenticated(() => heard++);
    try {
      answers.push(problem(401, 'unauthenticated', 'x'), problem(401, 'unauthenticated', 'x'), problem(401, 'unauthenticated', 'x'));
      await assert.rejects(api.getSession());
      await assert.rejects(api.signIn('a@example.org', 'bad'));
      assert.equal(heard, 0);
      await assert.rejects(api.listTokens());
      assert.equal(heard, 1);
    } finally {
      stop();
    }
  });

  it('accepts member and token lists as bare arrays or pages', async () => {
    const member = { userId: 'u', email: 'e@example.org', name: 'E', roles: ['member'] };
    answers.push(json(200, [member]), json(200, { items: [member], nextCursor: null }));
    assert.deepEqual(await api.listMembers('o'), [member]);
    assert.deepEqual(await api.listMembers('o'), [member]);
  });

  it('builds the audit query from the filter, leaving out empty values', async () => {
    answers.push(json(200, { items: [], nextCursor: null }), json(200, { items: [], nextCursor: null }));
    await api.listAudit({ limit: 50, recordType: 'api-token' });
    await api.listAudit({ recordType: '' });
    assert.deepEqual(
      calls.map((c) => c.url),
      ['/api/v1/audit?limit=50&recordType=api-token', '/api/v1/audit'],
    );
  });
});

describe('API client: inventories and the reverse query', () => {
  it('uploads the file itself with its content type, the label in the query and the CSRF token', async () => {
    answers.push(json(200, session), json(201, { id: 'i1' }));
    await api.signIn('a@example.org', 'pw');
    const file = new Blob(['<bom/>'], { type: 'text/xml' });
    await api.uploadInventory({ name: 'plant a', organisationId: 'o1', tlp: 'AMBER+STRICT' }, { data: file, contentType: 'application/vnd.cyclonedx+xml' });
    const call = calls[1]!;
    assert.equal(call.init.method, 'POST');
    assert.equal(call.url, '/api/v1/inventories?name=plant+a&organisationId=o1&tlp=AMBER%2BSTRICT');
    assert.equal(call.init.body, file, 'the file is sent as it is, not as JSON');
    assert.equal(header(call, 'Content-Type'), 'application/vnd.cyclonedx+xml');
    assert.equal(header(call, 'X-CSRF-Token'), 'csrf-1');
  });

  it('sends If-Match with the version on screen for replace, label edits and deletion', async () => {
    answers.push(json(200, { id: 'i1' }), json(200, { id: 'i1' }), () => new Response(null, { status: 204 }), json(200, { id: 'o1' }));
    await api.replaceSbom('i/1', 3, { data: '{}', contentType: 'application/json' });
    await api.updateInventory('i/1', 4, { label: { tlp: 'RED', embargoUntil: null } });
    await api.deleteInventory('i/1', 5);
    await api.updateOrganisation('o1', 7, { label: { tlp: 'GREEN' } });
    assert.deepEqual(
      calls.map((c) => [c.init.method, c.url, header(c, 'If-Match')]),
      [
        ['PUT', '/api/v1/inventories/i%2F1/sbom', '"3"'],
        ['PATCH', '/api/v1/inventories/i%2F1', '"4"'],
        ['DELETE', '/api/v1/inventories/i%2F1', '"5"'],
        ['PATCH', '/api/v1/organisations/o1', '"7"'],
      ],
    );
    assert.equal(calls[1]!.init.body, JSON.stringify({ label: { tlp: 'RED', embargoUntil: null } }));
  });

  it('sends the pasted advisory text unchanged and pages it with the cursor', async () => {
    const report = { advisory: { id: 'A' }, affected: [], problems: [] };
    answers.push(json(200, { ...report, nextCursor: 'n1' }), json(200, report));
    const text = '{ "id": "A",  "affected": [] }';
    assert.equal((await api.affectedBy(text)).nextCursor, 'n1');
    assert.equal((await api.affectedBy(text, { cursor: 'n1' })).nextCursor, undefined);
    assert.deepEqual(calls.map((c) => [c.url, c.init.body, header(c, 'Content-Type')]), [
      ['/api/v1/advisories/affected', text, 'application/json'],
      ['/api/v1/advisories/affected?cursor=n1', text, 'application/json'],
    ]);
  });
});
