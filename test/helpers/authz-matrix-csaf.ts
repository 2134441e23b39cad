/**
 * Authorisation matrix entries for the CSAF 2.0 provider tree (src/http/csaf.routes.ts). Targets are the advisory
 * matrix's own (every label, published, withdrawn, drafts, shared under embargo). The rules by hand:
 * - white: public and the same for everyone: published or withdrawn, TLP:CLEAR, no running embargo, no need-to-know
 *   role (read as the anonymous public whoever asks, so a signed-in reader gets nothing more there);
 * - green / amber: 401 for the anonymous; otherwise the advisory read rule minus drafts, for the directory's labels
 *   (GREEN; AMBER and AMBER+STRICT); RED is never distributed through CSAF;
 * - metadata, security.txt and the public key: public.
 */
import assert from 'node:assert/strict';
import { systemPrincipal } from '../../src/services/principal.ts';
import type { Res } from './api-client.ts';
import { assertLikeAbsent, assertNoLeak, type Reader, type World } from './authz-fixtures.ts';
import { advisoryTargets, seesAdvisory, type AdvisoryTarget } from './authz-matrix-advisories.ts';
import { MATRIX } from './authz-matrix.ts';

type Dir = 'white' | 'green' | 'amber';
const DIRS: Dir[] = ['white', 'green', 'amber'];
const DIR_LABELS: Record<Dir, string[]> = { white: ['CLEAR'], green: ['GREEN'], amber: ['AMBER', 'AMBER+STRICT'] };
const SYSTEM = systemPrincipal('system');

function inDir(r: Reader, t: AdvisoryTarget, dir: Dir): boolean {
  if (t.state === 'draft' || !DIR_LABELS[dir].includes(t.tlp)) return false;
  if (dir === 'white') return t.embargo !== 'running' && !t.restricted;
  return !r.anonymous && seesAdvisory(r, t);
}

async function getAs(w: World, r: Reader, url: string): Promise<Res> {
  // Injected directly: the tree lives at the root, outside the /api/v1 prefix the client adds.
  const headers: Record<string, string> = {};
  if (r.caller.bearer) headers.authorization = `Bearer ${r.caller.bearer}`;
  if (r.caller.cookie) headers.cookie = r.caller.cookie;
  const res = await w.server.app.inject({ method: 'GET', url, headers });
  assert.ok(res.statusCode < 300 || res.statusCode >= 400, `${url}: CSAF 2.0 §7.1.6 forbids redirects`);
  let body: unknown = res.body;
  if (String(res.headers['content-type'] ?? '').includes('json')) body = JSON.parse(res.body);
  return { status: res.statusCode, body, headers: res.headers };
}

/** The path a target has in its directory: year of first publication, lower-cased id (CSAF 2.0 §5.1). */
async function pathOf(w: World, t: AdvisoryTarget): Promise<string> {
  const v = await w.server.container.services.advisories.get(SYSTEM, t.id);
  return `${(v.publishedAt ?? v.createdAt).slice(0, 4)}/${t.id.toLowerCase().replace(/[^+\-a-z0-9]/g, '_')}.json`;
}

const hiddenIds = (targets: AdvisoryTarget[], r: Reader, dir: Dir) =>
  targets.filter((t) => !inDir(r, t, dir)).flatMap((t) => [t.id, t.id.toLowerCase(), t.marker]);

function listingEntry(dir: Dir, file: 'index.txt' | 'changes.csv' | 'feed') {
  const url = file === 'feed' ? `/.well-known/csaf/feed-tlp-${dir}.json` : `/.well-known/csaf/${dir}/${file}`;
  return {
    method: 'GET' as const, url,
    rule: dir === 'white'
      ? 'public, the same for every caller: published/withdrawn TLP:CLEAR advisories with no running embargo or need-to-know role'
      : `sign-in required (401); the ${dir.toUpperCase()} advisories the caller may read, drafts never`,
    async check(w: World) {
      const targets = await advisoryTargets(w);
      for (const r of w.readers) {
        const res = await getAs(w, r, url);
        if (dir !== 'white' && r.anonymous) {
          assert.equal(res.status, 401, `${r.name} ${url}`);
          continue;
        }
        assert.equal(res.status, 200, `${r.name} ${url}`);
        if (dir === 'white') assert.equal(res.headers['access-control-allow-origin'], '*');
        const text = typeof res.body === 'string' ? res.body : JSON.stringify(res.body);
        for (const t of targets) {
          if (inDir(r, t, dir)) assert.ok(text.includes(await pathOf(w, t)) || text.includes(t.id), `${r.name} ${url} lists ${t.marker} (${t.state} ${t.tlp} ${t.embargo})`);
        }
        assertNoLeak(res, hiddenIds(targets, r, dir), `${r.name} GET ${url}`);
      }
    },
  };
}

for (const dir of DIRS) {
  MATRIX.push(listingEntry(dir, 'index.txt'), listingEntry(dir, 'changes.csv'), listingEntry(dir, 'feed'), {
    method: 'GET', url: `/.well-known/csaf/${dir}/:year/:file`,
    rule: dir === 'white'
      ? 'public: the document (and .sha256/.sha512/.asc) of a published/withdrawn TLP:CLEAR advisory; anything else reads as absent'
      : `sign-in required (401); documents of ${dir.toUpperCase()} advisories the caller may read; hidden ones read as absent`,
    async check(w) {
      const targets = await advisoryTargets(w);
      for (const r of w.readers) {
        const none = await getAs(w, r, `/.well-known/csaf/${dir}/1999/cha-1999-0000.json`);
        for (const t of targets) {
          const base = `/.well-known/csaf/${dir}/${await pathOf(w, t)}`;
          for (const suffix of ['', '.sha256', '.asc']) {
            const res = await getAs(w, r, base + suffix);
            if (dir !== 'white' && r.anonymous) {
              assert.equal(res.status, 401, `${r.name} ${base}${suffix}`);
            } else if (inDir(r, t, dir)) {
              assert.equal(res.status, 200, `${r.name} reads ${base}${suffix} (${t.state} ${t.tlp} ${t.embargo})`);
              if (suffix === '') assert.equal((res.body as any).document.tracking.id, t.id);
            } else {
              assertLikeAbsent(res, none, `${r.name} must not read ${base}${suffix} (${t.state} ${t.tlp} ${t.embargo})`);
            }
          }
        }
      }
    },
  });
}

MATRIX.push(
  {
    method: 'GET', url: '/.well-known/csaf/provider-metadata.json', rule: 'public, the same for every caller',
    async check(w) {
      let first: string | null = null;
      const targets = await advisoryTargets(w);
      for (const r of w.readers) {
        const res = await getAs(w, r, '/.well-known/csaf/provider-metadata.json');
        assert.equal(res.status, 200, r.name);
        assert.equal((res.body as any).role, 'csaf_trusted_provider');
        assertNoLeak(res, targets.flatMap((t) => [t.id, t.marker]), `${r.name} provider metadata`);
        const text = JSON.stringify(res.body);
        if (first === null) first = text;
        else assert.equal(text, first, `${r.name} gets the same metadata`);
      }
    },
  },
  {
    method: 'GET', url: '/.well-known/security.txt', rule: 'public',
    async check(w) {
      for (const r of w.readers) {
        const res = await getAs(w, r, '/.well-known/security.txt');
        assert.equal(res.status, 200, r.name);
        assert.match(String(res.body), /^CSAF: /m);
      }
    },
  },
  {
    method: 'GET', url: '/.well-known/csaf/openpgp/:file', rule: 'public: the signing key by its fingerprint; any other fingerprint 404',
    async check(w) {
      const { fingerprint } = await w.server.container.services.csaf.publicKey();
      for (const r of w.readers) {
        const res = await getAs(w, r, `/.well-known/csaf/openpgp/${fingerprint}.asc`);
        assert.equal(res.status, 200, r.name);
        assert.match(String(res.body), /BEGIN PGP PUBLIC KEY BLOCK/);
        assert.doesNotMatch(String(res.body), /PRIVATE/);
        assert.equal((await getAs(w, r, '/.well-known/csaf/openpgp/0000000000000000000000000000000000000000.asc')).status, 404);
      }
    },
  },
);
