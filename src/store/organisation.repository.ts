import type { AccessLabel, CiSector, OrganisationKind, ReaderFacts, Tlp } from '../domain/policy/access-label.ts';
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
export interface OrganisationReader {
  siteAdmin: boolean;
  facts: ReaderFacts;
  now: string;
}

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
