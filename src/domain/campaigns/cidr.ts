/**
 * Network ranges in CIDR notation, parsed strictly with ipaddr.js. A range is kept as its canonical text and as the
 * first and last address in fixed-width lower-case hex (8 digits for IPv4, 32 for IPv6), so that two ranges of one
 * family overlap exactly when `a.start <= b.end && b.start <= a.end` compared as text: the same comparison the
 * database makes (src/store/campaign.repository.ts), with no 128-bit integers on either side.
 */
import ipaddr from 'ipaddr.js';

export type IpFamily = 'ip4' | 'ip6';

export interface CidrRange {
  /** Canonical text: dotted quad for IPv4, RFC 5952 for IPv6, always with its prefix length. */
  cidr: string;
  family: IpFamily;
  /** First address, fixed-width lower-case hex. */
  start: string;
  /** Last address, fixed-width lower-case hex. */
  end: string;
}

/** Why a text is not a network range, worded to follow the range itself in a problem message. */
export class CidrError extends Error {}

// Four decimal octets without leading zeros: ipaddr.js alone also reads `127.1`, `0x7f.0.0.1` and octal `010.0.0.1`,
// which scanners and firewalls disagree about.
const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);
const PREFIX = /^(?:0|[1-9]\d{0,2})$/;

function hex(bytes: number[]): string {
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
}

function bounds(bytes: number[], prefix: number): { first: number[]; last: number[] } {
  const first: number[] = [];
  const last: number[] = [];
  bytes.forEach((b, i) => {
    const bits = Math.max(0, Math.min(8, prefix - i * 8));
    const mask = bits === 0 ? 0 : (0xff << (8 - bits)) & 0xff;
    first.push(b & mask);
    last.push((b & mask) | (~mask & 0xff));
  });
  return { first, last };
}

/** Parses `192.0.2.0/24` or `2001:db8::/32`; throws CidrError naming what is wrong (host bits set, bad prefix...). */
export function parseCidr(text: string): CidrRange {
  if (typeof text !== 'string' || text.length === 0) throw new CidrError('is empty');
  if (text.length > 64) throw new CidrError('is longer than any network range');
  const slash = text.indexOf('/');
  if (slash < 0) throw new CidrError(`has no prefix length: write a network like 192.0.2.0/24, or a single address as ${text.includes(':') ? `${text}/128` : `${text}/32`}`);
  const addr = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  if (!PREFIX.test(prefixText)) throw new CidrError('has a prefix length that is not a number from 0 to 32 (IPv4) or 128 (IPv6)');
  const prefix = Number(prefixText);
  let bytes: number[];
  let family: IpFamily;
  if (IPV4.test(addr)) {
    if (prefix > 32) throw new CidrError('has a prefix length above 32 for an IPv4 network');
    bytes = ipaddr.IPv4.parse(addr).toByteArray();
    family = 'ip4';
  } else if (addr.includes(':')) {
    if (!/^[0-9A-Fa-f:.]+$/.test(addr) || !ipaddr.IPv6.isValid(addr)) throw new CidrError('is not an IPv6 address with a prefix length (zone ids like %eth0 are not network ranges)');
    if (prefix > 128) throw new CidrError('has a prefix length above 128 for an IPv6 network');
    bytes = ipaddr.IPv6.parse(addr).toByteArray();
    family = 'ip6';
  } else {
    throw new CidrError('is not an IPv4 network (four decimal numbers 0-255 without leading zeros) or an IPv6 network');
  }
  const { first, last } = bounds(bytes, prefix);
  const network = ipaddr.fromByteArray(first);
  const networkText = network.kind() === 'ipv6' ? (network as ipaddr.IPv6).toRFC5952String() : network.toString();
  if (hex(first) !== hex(bytes)) throw new CidrError(`has host bits set: the network is ${networkText}/${prefix}`);
  return { cidr: `${networkText}/${prefix}`, family, start: hex(first), end: hex(last) };
}

/** Whether two ranges share at least one address (ranges of different families never do). */
export function cidrsOverlap(a: CidrRange, b: CidrRange): boolean {
  return a.family === b.family && a.start <= b.end && b.start <= a.end;
}

/**
 * The range and every network containing it, as first and last address: two CIDR blocks overlap exactly when one
 * contains the other, so the blocks overlapping a range are those starting inside it and those among these.
 */
export function supernets(r: CidrRange): { start: string; end: string }[] {
  const bits = r.family === 'ip4' ? 32 : 128;
  const width = bits / 4;
  const prefix = Number(r.cidr.slice(r.cidr.lastIndexOf('/') + 1));
  const value = BigInt(`0x${r.start}`);
  const all = (1n << BigInt(bits)) - 1n;
  const out: { start: string; end: string }[] = [];
  for (let l = 0; l <= prefix; l++) {
    const host = (1n << BigInt(bits - l)) - 1n;
    const start = value & (all ^ host);
    out.push({ start: start.toString(16).padStart(width, '0'), end: (start | host).toString(16).padStart(width, '0') });
  }
  return out;
}
