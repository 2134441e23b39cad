/**
 * CSAF 2.0 provider: documents for the published advisories organisations on the platform author (imported public
 * sources stay with the OSV API and are not re-issued under our name), their hashes and OpenPGP signatures, and the
 * listings of a trusted provider. Reads go through AdvisoryService.distributable*, so the label policy (TLP,
 * embargo, sharing) decides who sees what, exactly as for every other channel.
 */
import { createHash } from 'node:crypto';
import * as openpgp from 'openpgp';
import type { Principal } from '../domain/policy/access-label.ts';
import type { Tlp } from '../domain/policy/access-label.ts';
import { NotFoundError, UnauthenticatedError } from '../domain/errors.ts';
import { advisoryToCsaf, csafFileName, csafTlp } from '../formats/csaf.ts';
import {
  changesCsv, csafBase, indexTxt, providerMetadata, rolieFeed, securityTxt, tlpDir,
  type CsafEntry, type CsafTlpDir,
} from '../formats/csaf-provider.ts';
import { getServerKey, putServerKeyIfAbsent } from '../store/server-key.repository.ts';
import type { AdvisoryService, AdvisoryView } from './advisory.service.ts';
import type { ServiceDeps } from './context.ts';

export interface CsafConfig {
  /** Public origin the tree is served from, e.g. https://clearinghouse.example (no trailing slash). */
  baseUrl: string;
  /** Who runs the provider (provider-metadata's publisher); each document names its owning organisation. */
  providerName: string;
  /** security.txt Contact: a mailto: or https: URI. */
  contact: string;
  generatorVersion?: string;
}

export interface CsafFiles {
  json: string;
  sha256: string;
  sha512: string;
  asc: string;
  entry: CsafEntry;
}

const KEY_NAME = 'csaf-openpgp';
const PAGE = 500;
/** Listings are whole files (index.txt, changes.csv, feeds); the cap keeps one request bounded. */
export const CSAF_MAX_LISTED = 20_000;
const CACHE_SIZE = 256;

const DIR_LABELS: Record<CsafTlpDir, Tlp[]> = { white: ['CLEAR'], green: ['GREEN'], amber: ['AMBER', 'AMBER+STRICT'] };

interface SigningKey { privateKey: openpgp.PrivateKey; publicArmored: string; fingerprint: string }

function isoOr(s: string | null | undefined, fallback: string): string {
  return s && !Number.isNaN(Date.parse(s)) ? new Date(Date.parse(s)).toISOString() : fallback;
}

export class CsafService {
  readonly #deps: ServiceDeps;
  readonly #advisories: AdvisoryService;
  readonly #config: CsafConfig;
  #key: Promise<SigningKey> | null = null;
  readonly #cache = new Map<string, Promise<CsafFiles>>();

  constructor(deps: ServiceDeps, advisories: AdvisoryService, config: CsafConfig) {
    this.#deps = deps;
    this.#advisories = advisories;
    this.#config = { ...config, baseUrl: config.baseUrl.replace(/\/+$/, '') };
  }

  /** The signing key: made at first use, stored once for every instance (insert-if-absent, then read back). */
  signingKey(): Promise<SigningKey> {
    this.#key ??= this.#loadKey().catch((err: unknown) => {
      this.#key = null;
      throw err;
    });
    return this.#key;
  }

  async #loadKey(): Promise<SigningKey> {
    let stored = await getServerKey(this.#deps.db, KEY_NAME);
    if (stored === null) {
      const { privateKey, publicKey } = await openpgp.generateKey({
        type: 'ecc',
        curve: 'ed25519Legacy',
        userIDs: [{ name: `${this.#config.providerName} CSAF signing key` }],
        format: 'armored',
      });
      await putServerKeyIfAbsent(this.#deps.db, KEY_NAME, JSON.stringify({ privateKey, publicKey }), this.#deps.clock.now().toISOString());
      stored = await getServerKey(this.#deps.db, KEY_NAME);
      if (stored === null) throw new Error('CSAF signing key vanished after insert');
    }
    const { privateKey, publicKey } = JSON.parse(stored) as { privateKey: string; publicKey: string };
    const key = await openpgp.readPrivateKey({ armoredKey: privateKey });
    return { privateKey: key, publicArmored: publicKey, fingerprint: key.getFingerprint().toUpperCase() };
  }

  async publicKey(fingerprint?: string): Promise<{ fingerprint: string; armored: string }> {
    const k = await this.signingKey();
    if (fingerprint !== undefined && fingerprint.toUpperCase() !== k.fingerprint) throw new NotFoundError('key');
    return { fingerprint: k.fingerprint, armored: k.publicArmored };
  }

  #require(actor: Principal, dir: CsafTlpDir): void {
    if (dir !== 'white' && actor.userId === null && actor.via !== 'system' && actor.via !== 'cli') {
      throw new UnauthenticatedError();
    }
  }

  #entry(view: AdvisoryView): CsafEntry | null {
    const dir = tlpDir(csafTlp(view.label.tlp));
    if (dir === null) return null;
    const current = isoOr(view.record.modified, view.updatedAt);
    const initial = isoOr(view.publishedAt ?? view.record.published, current);
    const summary = typeof view.record.summary === 'string' && view.record.summary.trim() !== '' ? view.record.summary : null;
    return {
      id: view.id,
      title: summary ? `${view.id}: ${summary}` : view.id,
      path: `${initial.slice(0, 4)}/${csafFileName(view.id)}`,
      tlp: dir,
      initialReleaseDate: initial,
      currentReleaseDate: current,
    };
  }

  /**
   * One document by its path in the tree. Authored ids are `<PREFIX>-<YEAR>-<N>` in capitals, so the lower-cased
   * file name maps back to exactly one id; anything else is not-found.
   */
  async document(actor: Principal, dir: CsafTlpDir, year: string, file: string): Promise<CsafFiles> {
    this.#require(actor, dir);
    const m = /^([a-z0-9][a-z0-9-]{0,127})\.json$/.exec(file);
    if (!m || !/^\d{4}$/.test(year)) throw new NotFoundError('CSAF document');
    // Every miss reads alike (hidden, draft, absent, another label's directory): existence is information.
    const view = await this.#advisories.distributableOne(actor, m[1]!.toUpperCase()).catch((err: unknown) => {
      throw err instanceof NotFoundError ? new NotFoundError('CSAF document') : err;
    });
    const entry = view.source === 'authored' ? this.#entry(view) : null;
    if (!entry || entry.tlp !== dir || entry.path !== `${year}/${file}`) throw new NotFoundError('CSAF document');
    return this.#files(actor, view, entry);
  }

  #files(actor: Principal, view: AdvisoryView, entry: CsafEntry): Promise<CsafFiles> {
    const key = `${view.id}@${view.version}@${view.revision}`;
    let hit = this.#cache.get(key);
    if (hit) {
      // Refresh its place: the map's insertion order is the LRU order.
      this.#cache.delete(key);
      this.#cache.set(key, hit);
      return hit;
    }
    hit = this.#generate(actor, view, entry);
    this.#cache.set(key, hit);
    hit.catch(() => this.#cache.delete(key));
    while (this.#cache.size > CACHE_SIZE) this.#cache.delete(this.#cache.keys().next().value!);
    return hit;
  }

  async #generate(actor: Principal, view: AdvisoryView, entry: CsafEntry): Promise<CsafFiles> {
    const revisions = await this.#advisories.revisions(actor, view.id).then((r) => r.items).catch(() => []);
    const doc = advisoryToCsaf(view, {
      publisher: { namespace: this.#config.baseUrl, category: 'vendor' },
      selfUrl: `${csafBase(this.#config.baseUrl)}/${entry.tlp}/${entry.path}`,
      revisions: revisions.map((r) => ({ revision: r.revision, date: r.modified, summary: r.summary })),
      generator: { name: 'Clearinghouse', version: this.#config.generatorVersion ?? '0' },
      now: this.#deps.clock.now(),
    });
    const json = JSON.stringify(doc, null, 2) + '\n';
    const bytes = Buffer.from(json, 'utf8');
    const name = csafFileName(view.id);
    const { privateKey } = await this.signingKey();
    const asc = await openpgp.sign({ message: await openpgp.createMessage({ binary: bytes }), signingKeys: privateKey, detached: true, format: 'armored' });
    return {
      json,
      sha256: `${createHash('sha256').update(bytes).digest('hex')}  ${name}\n`,
      sha512: `${createHash('sha512').update(bytes).digest('hex')}  ${name}\n`,
      asc: asc as string,
      entry,
    };
  }

  /** Every document in a TLP directory the actor may read, newest `modified` first, capped at CSAF_MAX_LISTED. */
  async entries(actor: Principal, dir: CsafTlpDir): Promise<CsafEntry[]> {
    const views = await this.#views(actor, dir);
    return views.map((v) => this.#entry(v)).filter((e): e is CsafEntry => e !== null && e.tlp === dir);
  }

  async #views(actor: Principal, dir: CsafTlpDir): Promise<AdvisoryView[]> {
    this.#require(actor, dir);
    const out: AdvisoryView[] = [];
    let after: string | undefined;
    do {
      const page = await this.#advisories.distributable(actor, { authoredOnly: true, tlp: DIR_LABELS[dir], limit: PAGE, after });
      out.push(...page.items.filter((v) => v.source === 'authored'));
      after = page.nextCursor ?? undefined;
    } while (after !== undefined && out.length < CSAF_MAX_LISTED);
    return out.slice(0, CSAF_MAX_LISTED);
  }

  /** For `csaf export`: every document of a directory with its files. */
  async *exportDocuments(actor: Principal, dir: CsafTlpDir): AsyncGenerator<CsafFiles> {
    for (const view of await this.#views(actor, dir)) {
      const entry = this.#entry(view);
      if (entry && entry.tlp === dir) yield await this.#files(actor, view, entry);
    }
  }

  async indexTxt(actor: Principal, dir: CsafTlpDir): Promise<string> {
    return indexTxt(await this.entries(actor, dir));
  }

  async changesCsv(actor: Principal, dir: CsafTlpDir): Promise<string> {
    return changesCsv(await this.entries(actor, dir));
  }

  async feed(actor: Principal, dir: CsafTlpDir): Promise<Record<string, unknown>> {
    const entries = await this.entries(actor, dir);
    return rolieFeed({ baseUrl: this.#config.baseUrl, tlp: dir, entries, updated: entries[0]?.currentReleaseDate ?? this.#deps.clock.now().toISOString() });
  }

  async providerMetadata(actor: Principal): Promise<Record<string, unknown>> {
    const { fingerprint } = await this.signingKey();
    const white = await this.entries(actor, 'white').catch(() => []);
    return providerMetadata({
      baseUrl: this.#config.baseUrl,
      publisher: { category: 'coordinator', name: this.#config.providerName, namespace: this.#config.baseUrl },
      publicKeyUrl: `${csafBase(this.#config.baseUrl)}/openpgp/${fingerprint}.asc`,
      fingerprint,
      lastUpdated: white[0]?.currentReleaseDate ?? this.#deps.clock.now().toISOString(),
    });
  }

  securityTxt(): string {
    const expires = new Date(this.#deps.clock.now().getTime() + 365 * 86_400_000).toISOString();
    return securityTxt({ csafUrl: `${csafBase(this.#config.baseUrl)}/provider-metadata.json`, contact: this.#config.contact, expires });
  }
}
