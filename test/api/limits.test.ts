import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { ApiClient, PROBLEM } from '../helpers/api-client.ts';
import { describeEachDriver } from '../helpers/db.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

describeEachDriver('request limits and TLS-aware cookies', (driver) => {
  let server: TestServer;
  let api: ApiClient;
  before(async () => {
    server = await startTestServer({ driver, listen: false, env: { CLEARINGHOUSE_RATE_LIMIT: '5', CLEARINGHOUSE_TRUST_PROXY: 'true', CLEARINGHOUSE_BODY_LIMIT: '4096' } });
    api = new ApiClient(server.app);
  });
  after(() => server.close());

  it('behind a TLS-terminating proxy the session cookie is Secure', async () => {
    const res = await api.post('/session', {}, { email: server.admin.email, password: server.admin.oneTimePassword }, { 'x-forwarded-proto': 'https' });
    assert.equal(res.status, 200);
    assert.match(String(res.headers['set-cookie']), /; Secure/);
  });

  it('the configured body limit answers 413 with a problem document', async () => {
    const res = await api.post('/session', {}, JSON.stringify({ email: 'a@b.example', password: 'x'.repeat(5000) }), { 'content-type': 'application/json' });
    assert.equal(res.status, 413);
    assert.equal(res.body.type, PROBLEM + 'payload-too-large');
  });

  it('too many requests get 429 with Retry-After', async () => {
    let limited;
    for (let i = 0; i < 10 && !limited; i++) {
      const r = await api.get('/organisations');
      if (r.status === 429) limited = r;
    }
    assert.ok(limited, 'the limit was reached');
    assert.equal(limited.body.type, PROBLEM + 'rate-limited');
    assert.ok(Number(limited.headers['retry-after']) > 0);
    const health = await api.get('/healthz');
    assert.equal(health.status, 200, 'health checks are never rate limited');
  });
});
