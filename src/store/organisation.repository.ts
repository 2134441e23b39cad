import type { AccessLabel, CiSector, OrganisationKind, Tlp } from '../domain/policy/access-label.ts';
import type { OrganisationScope } from '../domain/policy/organisation.policy.ts';
import type { Db, Tx } from './db.ts';
import type { OrganisationTable } from './schema.ts';
import { visibleTo } from './visibility.ts';

export interface Organisation {
  id: string;
  name: string;
  kind: OrganisationKind;
  sectors: CiSector[];
  label: AccessLabel;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export function toOrganisation(r: OrganisationTable): Organisation {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind as OrganisationKind,
    sectors: JSON.parse(r.sectors) as CiSector[],
    label: { owner: r.owner_org_id, tlp: r.tlp as Tlp, embargoUntil: r.embargo_until, restricted: r.restricted_role },
    version: r.version,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function fromOrganisation(o: Organisation): OrganisationTable {
  return {
    id: o.id,
    name: o.name,
    kind: o.kind,
    sectors: JSON.stringify(o.sectors),
    owner_org_id: o.label.owner,
    tlp: o.label.tlp,
    embargo_until: o.label.embargoUntil,
    restricted_role: o.label.restricted,
    version: o.version,
    created_at: o.createdAt,
    updated_at: o.updatedAt,
  };
}

/** Who may see an organisation: site administrators (they administer the directory), its members, and the label. */
export type OrganisationReader = OrganisationScope;

function visible(reader: OrganisationReader) {
  return (eb: Parameters<ReturnType<typeof visibleTo>>[0]) =>
    reader.siteAdmin
      ? eb.lit(true)
      : eb.or([
          reader.facts.organisationIds.length ? eb('organisations.id', 'in', reader.facts.organisationIds) : eb.lit(false),
          visibleTo(reader.facts, reader.now, 'organisations')(eb),
        ]);
}

export async function listOrganisations(db: Db, reader: OrganisationReader, after: [string, string] | null, limit: number): Promise<OrganisationTable[]> {
  let q = db.selectFrom('organisations').selectAll().where(visible(reader));
  if (after) {
    const [name, id] = after;
    q = q.where((eb) => eb.or([eb('name', '>', name), eb.and([eb('name', '=', name), eb('id', '>', id)])]));
  }
  return q.orderBy('name').orderBy('id').limit(limit).execute();
}

export async function findVisibleOrganisation(db: Db | Tx, reader: OrganisationReader, id: string): Promise<OrganisationTable | undefined> {
  return db.selectFrom('organisations').selectAll().where('id', '=', id).where(visible(reader)).executeTakeFirst();
}

/** Which of `ids` the reader may see (the directory rule above, in SQL): for presenters naming organisations a record refers to. */
export async function visibleOrganisationIds(db: Db | Tx, reader: OrganisationReader, ids: readonly string[]): Promise<Set<string>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Set();
  const rows = await db.selectFrom('organisations').select('id').where('id', 'in', unique).where(visible(reader)).execute();
  return new Set(rows.map((r) => r.id));
}

/** Names are unique regardless of case; `exceptId` lets a rename keep its own name. */
export async function organisationNameTaken(db: Db | Tx, name: string, exceptId: string | null): Promise<boolean> {
  let q = db.selectFrom('organisations').select('id').where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase()));
  if (exceptId) q = q.where('id', '!=', exceptId);
  return (await q.executeTakeFirst()) !== undefined;
}

/** For the operator's own work (bootstrap, CLI), which names organisations rather than holding their ids. */
export async function findOrganisationIdByName(db: Db | Tx, name: string): Promise<string | undefined> {
  return (await db.selectFrom('organisations').select('id').where('name', '=', name).executeTakeFirst())?.id;
}

/** Ids out of `ids` that exist; for callers already authorised to name any organisation (site admins, operator). */
export async function existingOrganisationIds(db: Db | Tx, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('organisations').select('id').where('id', 'in', [...ids]).execute();
  return new Set(rows.map((r) => r.id));
}

export async function insertOrganisation(tx: Tx, row: OrganisationTable): Promise<void> {
  await tx.insertInto('organisations').values(row).execute();
}

/** Conditional on the version read: false when someone else changed the row first. */
export async function updateOrganisationVersioned(tx: Tx, row: OrganisationTable, expectedVersion: number): Promise<boolean> {
  const res = await tx.updateTable('organisations').set(row).where('id', '=', row.id).where('version', '=', expectedVersion).executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}
