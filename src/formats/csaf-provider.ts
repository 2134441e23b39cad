/**
 * The files a CSAF 2.0 trusted provider serves besides the documents (CSAF 2.0 §7.1): provider-metadata.json
 * (§7.1.20), index.txt (§7.1.13), changes.csv (§7.1.14), ROLIE feeds (§7.1.21) and security.txt's CSAF field
 * (§7.1.8). Pure: callers pass the entries and the dates.
 */
import type { CsafTlp } from './csaf.ts';

/** The directories we serve; RED documents are never distributed through CSAF (they go to named people only). */
export const CSAF_TLP_DIRS = ['white', 'green', 'amber'] as const;
export type CsafTlpDir = (typeof CSAF_TLP_DIRS)[number];

export function tlpDir(tlp: CsafTlp): CsafTlpDir | null {
  return tlp === 'WHITE' ? 'white' : tlp === 'GREEN' ? 'green' : tlp === 'AMBER' ? 'amber' : null;
}

export function dirTlp(dir: CsafTlpDir): CsafTlp {
  return dir.toUpperCase() as CsafTlp;
}

export interface CsafEntry {
  id: string;
  title: string;
  /** `<year>/<file>.json`, relative to the TLP directory. */
  path: string;
  tlp: CsafTlpDir;
  initialReleaseDate: string;
  currentReleaseDate: string;
}

export interface Publisher { category: 'vendor' | 'coordinator' | 'other' | 'discoverer' | 'translator' | 'user'; name: string; namespace: string }

export const csafBase = (baseUrl: string) => `${baseUrl.replace(/\/+$/, '')}/.well-known/csaf`;
export const feedFile = (dir: CsafTlpDir) => `feed-tlp-${dir}.json`;

export function providerMetadata(opts: {
  baseUrl: string;
  publisher: Publisher;
  publicKeyUrl: string;
  fingerprint: string;
  lastUpdated: string;
}): Record<string, unknown> {
  const base = csafBase(opts.baseUrl);
  return {
    canonical_url: `${base}/provider-metadata.json`,
    distributions: [
      { directory_url: `${base}/white/` },
      {
        rolie: {
          feeds: CSAF_TLP_DIRS.map((d) => ({
            summary: `TLP:${dirTlp(d)} advisories${d === 'white' ? '' : ' (authentication required)'}`,
            tlp_label: dirTlp(d),
            url: `${base}/${feedFile(d)}`,
          })),
        },
      },
    ],
    last_updated: opts.lastUpdated,
    list_on_CSAF_aggregators: true,
    metadata_version: '2.0',
    mirror_on_CSAF_aggregators: true,
    public_openpgp_keys: [{ fingerprint: opts.fingerprint.toUpperCase(), url: opts.publicKeyUrl }],
    publisher: opts.publisher,
    role: 'csaf_trusted_provider',
  };
}

/** One relative path per line (§7.1.13). */
export function indexTxt(entries: readonly CsafEntry[]): string {
  return entries.map((e) => `${e.path}\n`).join('');
}

const csvField = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** `"<path>","<current release date>"`, newest first (§7.1.14). */
export function changesCsv(entries: readonly CsafEntry[]): string {
  return [...entries]
    .sort((a, b) => (a.currentReleaseDate < b.currentReleaseDate ? 1 : a.currentReleaseDate > b.currentReleaseDate ? -1 : a.path.localeCompare(b.path)))
    .map((e) => `${csvField(e.path)},${csvField(e.currentReleaseDate)}\n`)
    .join('');
}

export function rolieFeed(opts: { baseUrl: string; tlp: CsafTlpDir; entries: readonly CsafEntry[]; updated: string }): Record<string, unknown> {
  const base = csafBase(opts.baseUrl);
  return {
    feed: {
      id: `clearinghouse-csaf-feed-tlp-${opts.tlp}`,
      title: `Clearinghouse CSAF feed (TLP:${dirTlp(opts.tlp)})`,
      link: [{ rel: 'self', href: `${base}/${feedFile(opts.tlp)}` }],
      category: [{ scheme: 'urn:ietf:params:rolie:category:information-type', term: 'csaf' }],
      updated: opts.updated,
      entry: opts.entries.map((e) => {
        const url = `${base}/${e.tlp}/${e.path}`;
        return {
          id: e.id,
          title: e.title,
          link: [
            { rel: 'self', href: url },
            { rel: 'hash', href: `${url}.sha256` },
            { rel: 'hash', href: `${url}.sha512` },
            { rel: 'signature', href: `${url}.asc` },
          ],
          published: e.initialReleaseDate,
          updated: e.currentReleaseDate,
          content: { type: 'application/json', src: url },
          format: { schema: 'https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json', version: '2.0' },
        };
      }),
    },
  };
}

/** RFC 9116 security.txt with the CSAF field pointing at the provider metadata (§7.1.8). */
export function securityTxt(opts: { csafUrl: string; contact: string; expires: string }): string {
  return `Contact: ${opts.contact}\nExpires: ${opts.expires}\nCSAF: ${opts.csafUrl}\n`;
}
