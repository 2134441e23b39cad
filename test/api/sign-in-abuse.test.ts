import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { FREE_ATTEMPTS, QUIET_RESET_MS } from '../../src/domain/auth/back-off.ts';
import { ManualClock } from '../../src/domain/clock.ts';
import { DEVICE_COOKIE } from '../../src/http/auth.ts';
import { systemPrincipal } from '../../src/services/principal.ts';
import { PROBLEM } from '../helpers/api-client.ts';
import { describeEachDriver } from '../helpers/db.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const PASSWORD = 'sign in abuse test passphrase';

describeEachDriver('sign-in abuse resistance', (driver) => {
  let server: TestServer;
  // Time stands still unless a test moves it, so every lock lasts exactly as long as the test needs.
  const clock = new ManualClock('2026-12-02T12:00:00.000Z');
  let address = 0;
  /** Each test comes from its own client address, so their counters never mix. */
  const freshAddress = () => `198.51.100.${++address}`;

  async function signIn(email: string, password: string, ip: string, device?: string) {
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      remoteAddress: ip,
      payload: { email, password },
      ...(device ? { headers: { cookie: `${DEVICE_COOKIE}=${device}` } } : {}),
    });
    const setCookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
    const deviceCookie = setCookie.find((c) => c.startsWith(`${DEVICE_COOKIE}=`));
    return { status: res.statusCode, body: res.json(), deviceCookie, device: deviceCookie?.split(';')[0]!.slice(DEVICE_COOKIE.length + 1) };
  }

  async function user(name: string): Promise<string> {
    const email = `${name}@abuse.example`;
    await server.container.services.users.create(systemPrincipal('cli'), { email, name, password: PASSWORD });
    return email;
  }

  before(async () => {
    server = await startTestServer({ driver, listen: false, clock });
  });
  after(() => server.close());

  it('signing in to one\'s own account between guesses does not reset the address\'s back-off (4 + 1 bypass)', async () => {
    const attacker = await user('attacker');
    const ip = freshAddress();
    const statuses: number[] = [];
    // Password spraying: four guesses at each of several accounts, each round followed by a real sign-in.
    for (let round = 0; round < 4; round++) {
      const victim = await user(`spray-victim-${round}`);
      for (let i = 0; i < 4; i++) statuses.push((await signIn(victim, `guess ${round} ${i} of many`, ip)).status);
      const own = await signIn(attacker, PASSWORD, ip);
      assert.ok(own.status === 200 || own.status === 429, `own sign-in answered ${own.status}`);
    }
    const guessed = statuses.filter((s) => s === 401).length;
    assert.ok(guessed <= FREE_ATTEMPTS, `${guessed} guesses were checked; the address allows ${FREE_ATTEMPTS} before backing off`);
    assert.ok(statuses.includes(429), 'the address backs off');
    assert.deepEqual([...new Set(statuses)].sort(), [401, 429]);
  });

  it('25 concurrent guesses for one e-mail: at most the allowed number are checked, and none fails with 500', async () => {
    const victim = await user('concurrent-victim');
    const ip = freshAddress();
    const results = await Promise.all(Array.from({ length: 25 }, (_, i) => signIn(victim, `concurrent guess ${i}`, ip)));
    const statuses = results.map((r) => r.status);
    assert.deepEqual([...new Set(statuses)].sort(), [401, 429], `statuses: ${statuses.join(',')}`);
    const checked = statuses.filter((s) => s === 401).length;
    assert.ok(checked <= FREE_ATTEMPTS, `${checked} of 25 concurrent guesses got past the back-off; at most ${FREE_ATTEMPTS} may`);
    for (const r of results.filter((x) => x.status === 429)) assert.equal(r.body.type, PROBLEM + 'rate-limited');
    // Every checked guess was counted (no lost update): the owner from an unknown device is now held back too.
    assert.equal((await signIn(victim, PASSWORD, freshAddress())).status, 429);
  });

  it('a burst against a non-existent e-mail does not lock out a user signing in from a known device behind the same address', async () => {
    const owner = await user('nat-owner');
    const nat = freshAddress();
    const first = await signIn(owner, PASSWORD, nat);
    assert.equal(first.status, 200);
    assert.ok(first.device, 'a successful sign-in sets a device cookie');
    assert.match(first.deviceCookie!, /HttpOnly/i);
    assert.match(first.deviceCookie!, /Path=\/api\/v1\/session/);
    const stored = await server.container.deps.db.selectFrom('sign_in_devices').selectAll().execute();
    assert.ok(stored.length > 0 && stored.every((d) => d.secret_hash !== first.device), 'only a hash of the device cookie is stored');

    for (let i = 0; i < 30; i++) await signIn('nobody-here@abuse.example', `burst ${i}`, nat);
    for (let i = 0; i < 30; i++) await signIn(owner, `targeted burst ${i}`, nat);
    const unknownDevice = await signIn(owner, PASSWORD, nat);
    assert.equal(unknownDevice.status, 429, 'the address and the account are locked for unknown devices');
    const known = await signIn(owner, PASSWORD, nat, first.device);
    assert.equal(known.status, 200, 'the owner on a known device still gets in');
  });

  it('a known device has its own small counter, and a cookie of another account earns nothing', async () => {
    const owner = await user('device-owner');
    const other = await user('device-other');
    const ip = freshAddress();
    const { device } = await signIn(owner, PASSWORD, ip);
    const statuses: number[] = [];
    for (let i = 0; i < FREE_ATTEMPTS + 2; i++) statuses.push((await signIn(owner, `device guess ${i}`, ip, device)).status);
    assert.deepEqual(statuses, [...Array(FREE_ATTEMPTS).fill(401), 429, 429], 'the device backs off after its own failures');
    // The same browser is unknown to another account: guesses there count against that account and the address.
    assert.equal((await signIn(other, PASSWORD, freshAddress(), device)).status, 200);
    clock.advance(QUIET_RESET_MS + 60_000);
    assert.equal((await signIn(owner, PASSWORD, ip, device)).status, 200, 'after a quiet hour the device starts again');
  });

  it('a NUL character in the e-mail is a clear 400, not a database error', async () => {
    const r = await signIn('nul\u0000@abuse.example', PASSWORD, freshAddress());
    assert.equal(r.status, 400);
    assert.equal(r.body.type, PROBLEM + 'invalid-input');
    assert.match(r.body.detail, /NUL/);
  });

  it('unknown and existing e-mails back off identically, so the answers do not reveal which accounts exist', async () => {
    const existing = await user('exists');
    const run = async (email: string) => {
      const ip = freshAddress();
      const out: string[] = [];
      for (let i = 0; i < FREE_ATTEMPTS + 2; i++) {
        const r = await signIn(email, `probe ${i}`, ip);
        out.push(`${r.status} ${r.body.detail}`);
      }
      return out;
    };
    assert.deepEqual(await run(existing), await run('does-not-exist@abuse.example'));
  });
});
