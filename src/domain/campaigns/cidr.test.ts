import assert from 'node:assert/strict';
import { it } from 'node:test';
import { cidrsOverlap, CidrError, parseCidr, supernets } from './cidr.ts';

it('parses IPv4 and IPv6 networks into canonical text and fixed-width bounds', () => {
  assert.deepEqual(parseCidr('192.0.2.0/24'), { cidr: '192.0.2.0/24', family: 'ip4', start: 'c0000200', end: 'c00002ff' });
  assert.deepEqual(parseCidr('0.0.0.0/0'), { cidr: '0.0.0.0/0', family: 'ip4', start: '00000000', end: 'ffffffff' });
  assert.deepEqual(parseCidr('203.0.113.7/32'), { cidr: '203.0.113.7/32', family: 'ip4', start: 'cb007107', end: 'cb007107' });
  const v6 = parseCidr('2001:DB8:0:0::/32');
  assert.equal(v6.cidr, '2001:db8::/32');
  assert.equal(v6.family, 'ip6');
  assert.equal(v6.start, '20010db8000000000000000000000000');
  assert.equal(v6.end, '20010db8ffffffffffffffffffffffff');
  assert.equal(parseCidr('2001:db8:0:1::/64').cidr, '2001:db8:0:1::/64');
  assert.equal(parseCidr('::/0').end, 'f'.repeat(32));
});

it('refuses host bits, naming the network meant', () => {
  assert.throws(() => parseCidr('192.0.2.1/24'), (e: Error) => e instanceof CidrError && /host bits set: the network is 192\.0\.2\.0\/24/.test(e.message));
  assert.throws(() => parseCidr('2001:db8::1/64'), /host bits set: the network is 2001:db8::\/64/);
  assert.throws(() => parseCidr('10.1.0.0/8'), /10\.0\.0\.0\/8/);
});

it('refuses everything that is not strictly a network in CIDR notation', () => {
  for (const bad of ['', '192.0.2.0', '192.0.2.0/', '192.0.2.0/33', '192.0.2.0/024', '192.0.2.0/-1', '127.1/8', '0x7f.0.0.0/8', '010.0.0.0/8',
    '256.0.0.0/8', '1.2.3.4.5/32', ' 192.0.2.0/24', '192.0.2.0/24 ', 'fe80::1%eth0/64', '2001:db8::/129', '2001:db8:::/48', 'example.org/24', '192.0.2.0/24/8', 'x'.repeat(70)]) {
    assert.throws(() => parseCidr(bad), CidrError, JSON.stringify(bad));
  }
});

it('overlap: within one family only, by first and last address', () => {
  const a = parseCidr('10.0.0.0/8');
  assert.ok(cidrsOverlap(a, parseCidr('10.20.0.0/16')));
  assert.ok(cidrsOverlap(parseCidr('10.20.0.0/16'), a));
  assert.ok(cidrsOverlap(parseCidr('10.255.255.255/32'), a), 'the last address');
  assert.ok(!cidrsOverlap(parseCidr('11.0.0.0/8'), a));
  assert.ok(!cidrsOverlap(parseCidr('192.0.2.0/25'), parseCidr('192.0.2.128/25')), 'adjacent halves do not overlap');
  assert.ok(cidrsOverlap(parseCidr('2001:db8::/32'), parseCidr('2001:db8:ff00::/40')));
  assert.ok(!cidrsOverlap(parseCidr('::ffff:0:0/96'), parseCidr('0.0.0.0/0')), 'an IPv4-mapped IPv6 range is IPv6');
});

it('supernets: the range and every network containing it', () => {
  assert.deepEqual(supernets(parseCidr('10.20.0.0/16')).map((s) => `${s.start}-${s.end}`).slice(0, 2), ['00000000-ffffffff', '00000000-7fffffff']);
  const chain = supernets(parseCidr('10.20.0.0/16'));
  assert.equal(chain.length, 17);
  assert.deepEqual(chain.at(-1), { start: parseCidr('10.20.0.0/16').start, end: parseCidr('10.20.0.0/16').end });
  assert.deepEqual(chain[8], { start: parseCidr('10.0.0.0/8').start, end: parseCidr('10.0.0.0/8').end });
  const v6 = supernets(parseCidr('2001:db8::/32'));
  assert.equal(v6.length, 33);
  assert.deepEqual(v6[16], { start: parseCidr('2001::/16').start, end: parseCidr('2001::/16').end });
  // Every network overlapping a range starts inside it or is one of its supernets.
  const r = parseCidr('192.0.2.0/24');
  for (const other of ['192.0.0.0/16', '192.0.2.128/25', '0.0.0.0/0', '192.0.2.0/24']) {
    const o = parseCidr(other);
    assert.ok(cidrsOverlap(r, o) && ((o.start >= r.start && o.start <= r.end) || supernets(r).some((s) => s.start === o.start && s.end === o.end)), other);
  }
});
