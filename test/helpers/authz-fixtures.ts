/**
 * The world the authorisation matrix runs in, built once per database: organisations and inventories at every TLP,
 * embargoed (running, lapsed) and restricted, and readers in every position. The rule functions below are the
 * product's access rules written out by hand (docs/ARCHITECTURE.md, "Access policy"); they never call the code under
 * test, so a change of behaviour shows up as a disagreement instead of being copied.
 */
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/domain/clock.ts';
import { ORGANISATION_KINDS, TLP_LEVELS, type OrganisationKind, type Tlp } from '../../src/domain/policy/access-label.ts';
import { systemPrincipal } from '../../src/services/principal.ts';
import type { Driver } from '../../src/store/db.ts';
import { ApiClient, type Caller, type Res } from './api-client.ts';
import { startTestServer, type TestServer } from './server.ts';

export const ROLE = 'designation-reviewer';
export const NOW = '2026-11-26T12:00:00.000Z';
export const EMBARGO = { none: null, running: '2027-06-01T00:00:00.000Z', lapsed: '2026-06-01T00:00:00.000Z' } as const;
export type Embargo = keyof typeof EMBARGO;
export const ABSENT_ID = '00000000-0000-4000-8000-00000000dead';
export const PASSWORD = 'matrix test passphrase';

export interface Reader {
  name: string;
  caller: Caller;
  anonymous: boolean;
  siteAdmin: boolean;
  userId: string | null;
  email: string | null;
  /** The one organisation the reader belongs to by kind (null for anonymous, site admin and the owner). */
  homeOrg: string | null;
  kind: OrganisationKind | null;
  /** Every organisation the reader is a member of, and those they administer. */
  orgs: string[];
  adminOf: string[];
  /** Member of a government organisation: the clearinghouse's coordinators. */
  coordinator: boolean;
  /** Holds the restricted role ROLE in some membership. */
  role: boolean;
  /** Administrator of every target organisation (the organisation-directory part of the matrix). */
  owner: boolean;
}

export interface Label {
  tlp: Tlp;
  embargo: Embargo;
  restricted: boolean;
}

export interface OrgTarget extends Label {
  id: string;
  name: string;
}

export interface InventoryTarget extends Label {
  id: string;
  name: string;
  owner: string;
  /** A token found only in this inventory (its name, an invalid stored version, an unmatched bom-ref). */
  marker: string;
  purls: string[];
  deleted: boolean;
}

/** Read rule for an organisation record: site admins administer the directory; members see their own organisation. */
export function seesOrganisation(r: Reader, org: { id: string } & Label): boolean {
  if (r.siteAdmin || r.orgs.includes(org.id)) return true;
  return labelAllows(r, org, false);
}

/** Read rule for every other labelled record: nobody is exempt, site admins and the owner's members included. */
export function seesRecord(r: Reader, rec: { owner: string } & Label): boolean {
  return labelAllows(r, rec, r.orgs.includes(rec.owner));
}

function labelAllows(r: Reader, l: Label, isOwner: boolean): boolean {
  if (l.restricted && !r.role) return false;
  if (l.embargo === 'running' && !(isOwner || r.coordinator)) return false;
  const audience: Record<Tlp, boolean> = {
    CLEAR: true,
    GREEN: !r.anonymous,
    AMBER: isOwner || r.coordinator,
    'AMBER+STRICT': isOwner || r.coordinator,
    RED: isOwner,
  };
  return audience[l.tlp];
}

/** Write rule for an inventory: members of the owning organisation who can read it; visible to others is 403. */
export function inventoryWriteStatus(r: Reader, inv: InventoryTarget, allowed: number): number {
  if (r.anonymous) return 401;
  if (!seesRecord(r, inv)) return 404;
  return r.orgs.includes(inv.owner) ? allowed : 403;
}

export interface World {
  driver: Driver;
  server: TestServer;
  api: ApiClient;
  clock: ManualClock;
  readers: Reader[];
  orgTargets: OrgTarget[];
  /** Organisation id per kind; every home organisation is RED (members only). */
  homes: Map<OrganisationKind, string>;
  inventories: InventoryTarget[];
  /** The 404 an absent id gets, per resource path: hidden records must answer exactly the same. */
  absent(path: string, r: Reader): Promise<Res>;
  reader(name: string): Reader;
  /** Inventories (fixture and scratch) that `r` must not learn anything about. */
  hiddenMarkers(r: Reader): string[];
  /**
   * Creates inventories owned by `owner`, outside the fixture set, for entries that change them: one per TLP, and
   * running-embargo and restricted ones (the labels whose writers differ), unless `labels` are given.
   */
  scratchInventories(owner: string, tag: string, labels?: Label[]): Promise<InventoryTarget[]>;
  /** The server's own route table, as method + url pairs. */
  routes(): { method: string; url: string }[];
  close(): Promise<void>;
}

export const LABELS: Label[] = TLP_LEVELS.flatMap((tlp) =>
  (Object.keys(EMBARGO) as Embargo[]).flatMap((embargo) => [false, true].map((restricted) => ({ tlp, embargo, restricted }))));

export const SCRATCH_LABELS: Label[] = LABELS.filter((l) => (l.embargo === 'none' && !l.restricted) || (l.tlp === 'AMBER' && l.embargo === 'running') || (l.tlp === 'RED' && l.restricted && l.embargo === 'lapsed'));

/** An SBOM whose every part names the inventory's marker, so a leak of any part of it is visible in any answer. */
export function sbomFor(marker: string): string {
  return JSON.stringify({
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    version: 1,
    components: [
      { 'bom-ref': `hit-${marker}`, type: 'library', name: 'matrix-pkg', version: '1.0.0', purl: 'pkg:npm/matrix-pkg@1.0.0' },
      { 'bom-ref': `bad-${marker}`, type: 'library', name: 'matrix-pkg', version: `bogus-${marker}`, purl: `pkg:npm/matrix-pkg@bogus-${marker}` },
      { 'bom-ref': `safe-${marker}`, type: 'library', name: 'matrix-other', version: '3.0.0', purl: 'pkg:npm/matrix-other@3.0.0' },
      { 'bom-ref': `ref-${marker}`, type: 'library', name: `nopurl-${marker}` },
    ],
  });
}
export const SBOM_PURLS = (marker: string) => ['pkg:npm/matrix-pkg@1.0.0', `pkg:npm/matrix-pkg@bogus-${marker}`, 'pkg:npm/matrix-other@3.0.0'];

/** The advisory every reverse-query check posts: matrix-pkg below 2.0.0 is affected; the bogus versions cannot be evaluated. */
export const MATRIX_ADVISORY = {
  schema_version: '1.6.0',
  id: 'MATRIX-0001',
  modified: '2026-11-20T00:00:00Z',
  summary: 'authorisation matrix advisory',
  affected: [{ package: { ecosystem: 'npm', name: 'matrix-pkg' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '2.0.0' }] }] }],
};

let markerSeq = 0;
const nextMarker = () => `mx${String(markerSeq++).padStart(3, '0')}q`;

export async function buildWorld(driver: Driver): Promise<World> {
  const clock = new ManualClock(NOW);
  const server = await startTestServer({ driver, listen: false, clock });
  const api = new ApiClient(server.app);
  const { services } = server.container;
  const sys = systemPrincipal('cli');
  const readers: Reader[] = [];
  const orgTargets: OrgTarget[] = [];
  const inventories: InventoryTarget[] = [];
  const homes = new Map<OrganisationKind, string>();

  const blank: Omit<Reader, 'name' | 'caller'> = {
    anonymous: false, siteAdmin: false, userId: null, email: null, homeOrg: null, kind: null, orgs: [], adminOf: [], coordinator: false, role: false, owner: false,
  };
  async function reader(name: string, facts: Partial<Reader>, memberships: { organisationId: string; roles: string[] }[]): Promise<Reader> {
    const email = `${name}@matrix.example`;
    const { user } = await services.users.create(sys, { email, name, password: PASSWORD, siteAdmin: !!facts.siteAdmin, memberships });
    const { secret } = await services.tokens.create(sys, { name: 'matrix', scopes: ['read', 'write', 'admin'], forUserId: user.id });
    return {
      ...blank,
      ...facts,
      name,
      caller: { bearer: secret },
      userId: user.id,
      email,
      orgs: memberships.map((m) => m.organisationId),
      adminOf: memberships.filter((m) => m.roles.includes('admin')).map((m) => m.organisationId),
      role: memberships.some((m) => m.roles.includes(ROLE)),
    };
  }

  for (const l of LABELS) {
    const name = `Target ${l.tlp} ${l.embargo} ${l.restricted ? 'restricted' : 'open'}`;
    const o = await services.organisations.create(sys, { name, kind: 'vendor', label: { tlp: l.tlp, embargoUntil: EMBARGO[l.embargo], restricted: l.restricted ? ROLE : null } });
    orgTargets.push({ id: o.id, name, ...l });
  }
  readers.push({ ...blank, name: 'anonymous', caller: {}, anonymous: true });
  readers.push(await reader('site-admin', { siteAdmin: true }, []));
  readers.push(await reader('owner', { owner: true }, orgTargets.map((t) => ({ organisationId: t.id, roles: ['admin'] }))));
  for (const kind of ORGANISATION_KINDS) {
    const org = await services.organisations.create(sys, { name: `Home ${kind}`, kind, ...(kind === 'infrastructure-operator' ? { sectors: ['energy' as const] } : {}), label: { tlp: 'RED' } });
    homes.set(kind, org.id);
    const coordinator = kind === 'government';
    readers.push(await reader(`${kind}-member`, { kind, homeOrg: org.id, coordinator }, [{ organisationId: org.id, roles: ['member'] }]));
    readers.push(await reader(`${kind}-admin`, { kind, homeOrg: org.id, coordinator }, [{ organisationId: org.id, roles: ['admin'] }]));
    readers.push(await reader(`${kind}-reviewer`, { kind, homeOrg: org.id, coordinator }, [{ organisationId: org.id, roles: ['member', ROLE] }]));
  }

  async function makeInventory(owner: string, l: Label, prefix: string): Promise<InventoryTarget> {
    const marker = nextMarker();
    const name = `${prefix} ${l.tlp} ${l.embargo} ${l.restricted ? 'restricted' : 'open'} ${marker}`;
    const inv = await services.inventories.create(sys, {
      name, organisationId: owner, label: { tlp: l.tlp, embargoUntil: EMBARGO[l.embargo], restricted: l.restricted ? ROLE : null }, body: sbomFor(marker), media: 'json',
    });
    const t: InventoryTarget = { id: inv.id, name, owner, marker, purls: SBOM_PURLS(marker), deleted: false, ...l };
    return t;
  }
  // The vendor organisation's inventories at every label; a few of the researcher organisation's, so lists and the
  // audit view have another tenant's records to keep out.
  for (const l of LABELS) inventories.push(await makeInventory(homes.get('vendor')!, l, 'Inventory'));
  for (const l of LABELS.filter((x) => x.embargo === 'none' && !x.restricted)) inventories.push(await makeInventory(homes.get('researcher')!, l, 'Inventory'));
  const scratch: InventoryTarget[] = [];

  const absentCache = new Map<string, Res>();
  const world: World = {
    driver, server, api, clock, readers, orgTargets, homes, inventories,
    async absent(path, r) {
      // Anonymous callers get 401 before any lookup on most routes; the absent answer is asked as a signed-in reader.
      const key = `${path} ${r.anonymous ? 'anon' : 'user'}`;
      let res = absentCache.get(key);
      if (!res) {
        res = await api.get(path.replace(':id', ABSENT_ID), r.caller);
        absentCache.set(key, res);
      }
      return res;
    },
    reader(name) {
      const r = readers.find((x) => x.name === name);
      if (!r) throw new Error(`no reader ${name}`);
      return r;
    },
    hiddenMarkers(r) {
      return [...inventories, ...scratch].filter((i) => !seesRecord(r, i)).flatMap((i) => [i.id, i.marker]);
    },
    async scratchInventories(owner, tag, labels = SCRATCH_LABELS) {
      const made: InventoryTarget[] = [];
      for (const l of labels) made.push(await makeInventory(owner, l, `Scratch ${tag}`));
      scratch.push(...made);
      return made;
    },
    routes: () => routeTable(server.app.printRoutes()),
    close: () => server.close(),
  };
  return world;
}

/** Reads Fastify's printed route tree (its only public view of the whole table) into method + url pairs. */
export function routeTable(printed: string): { method: string; url: string }[] {
  const out: { method: string; url: string }[] = [];
  const stack: string[] = [];
  for (const line of printed.split('\n')) {
    const m = /^((?:│   |    )*)(?:├── |└── )(.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) {
      assert.equal(line.trim(), '', `unreadable route table line: ${JSON.stringify(line)}`);
      continue;
    }
    const depth = m[1]!.length / 4;
    stack.length = depth;
    const parent = stack[depth - 1] ?? '';
    // The default print is the radix tree itself, so a route's url is its nodes joined (the commonPrefix: false
    // form drops the shared prefix of wildcard children: /docs/static/* printed as /docs/*).
    const url = parent + m[2]!;
    stack[depth] = url;
    for (const method of (m[3] ?? '').split(',').map((x) => x.trim()).filter(Boolean)) out.push({ method, url });
  }
  return out;
}

/** Removes scratch inventories again (as the system), so every entry leaves the world as it found it. */
export async function dropScratch(w: World, list: InventoryTarget[]): Promise<void> {
  // 'system', not 'cli': only the system principal reads every inventory whatever its label.
  const sys = systemPrincipal('system');
  for (const i of list) {
    if (i.deleted) continue;
    await w.server.container.services.inventories.remove(sys, i.id);
    i.deleted = true;
  }
}

/** Walks every page of a listing with a small limit and returns all items; each page must be a 200. */
export async function walk(w: World, path: string, r: Reader, limit: number): Promise<{ items: any[]; pages: Res[] }> {
  const items: any[] = [];
  const pages: Res[] = [];
  let cursor: string | null = null;
  const sep = path.includes('?') ? '&' : '?';
  for (let i = 0; i < 1000; i++) {
    const res: Res = await w.api.get(`${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, r.caller);
    assert.equal(res.status, 200, `${r.name} GET ${path}: ${JSON.stringify(res.body)}`);
    pages.push(res);
    items.push(...res.body.items);
    assert.ok(res.body.items.length <= limit, `${r.name} GET ${path}: a page holds at most limit items`);
    cursor = res.body.nextCursor;
    if (!cursor) return { items, pages };
  }
  throw new Error(`${path}: more than 1000 pages`);
}

/** No part of the answer (body, headers) may carry a marker of a record the reader may not read. */
export function assertNoLeak(res: Res, hidden: string[], what: string): void {
  // A problem's `instance` echoes the path the caller sent, ids included: that tells them nothing new.
  const { instance: _echo, ...body } = res.body !== null && typeof res.body === 'object' && !Array.isArray(res.body) ? res.body : { value: res.body };
  const text = JSON.stringify(body) + JSON.stringify(res.headers);
  for (const m of hidden) assert.ok(!text.includes(m), `${what}: the answer mentions hidden record ${m}: ${text.slice(0, 400)}`);
}

/** A hidden record answers exactly like an absent one: same status, problem type and detail. */
export function assertLikeAbsent(res: Res, absent: Res, what: string): void {
  assert.equal(res.status, absent.status, `${what}: status ${res.status} ${JSON.stringify(res.body)}`);
  assert.equal(res.body?.type, absent.body?.type, `${what}: problem type`);
  assert.equal(res.body?.detail, absent.body?.detail, `${what}: problem detail`);
}

export const sorted = <T>(xs: T[]) => [...xs].sort();
