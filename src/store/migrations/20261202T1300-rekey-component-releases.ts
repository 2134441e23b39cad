import { sql, type Kysely } from 'kysely';
import { releasedEcosystems } from '../../domain/matching/ecosystem.ts';
import { componentFromPurl } from '../../domain/purl/purl-ecosystem.ts';
import { isPostgres } from '../dialect.ts';

/**
 * Re-keys stored components to this release's purl mapping (issue 7): a purl's `distro` qualifier now maps to the
 * release OSV names (`sles-15.5` is `15.5`, `opensuse-leap-15.5` is `leap-15.5`, `azurelinux-3.0` is `3`, Red Hat
 * streams their major, an undecidable one is null), ecosystems without releases keep none, and Go's `stdlib` and
 * `toolchain` versions are SemVer (`go1.21.0` is `1.21.0`). Rows stored before kept the old keys, so the reverse
 * query, which looks rows up by (ecosystem, name, version, release), silently missed them.
 *
 * Why a migration calls domain code: the keys are derived from the stored canonical `purl` by exactly the function
 * uploads use, and duplicating that mapping here (SUSE service packs, Red Hat CPE streams...) in SQL would be a
 * second copy bound to drift. This is a one-time re-key to the mapping of this release: it runs once, with whatever
 * componentFromPurl does at the time it runs, so a later change of the mapping needs its own re-keying migration
 * (this one will not run again).
 *
 * Rows are read in batches, keyset by id, so memory stays flat over millions of components; only rows whose keys
 * change are written. A stored purl the mapping now refuses keeps its row as it was: it still matches as before, and
 * dropping a customer's component in a migration would be worse than an old key.
 */
export const REKEY_BATCH = 5_000;

/** Rows the mapping change can touch: ecosystems with releases, stray releases elsewhere, Go's own packages. */
function affectedRows(db: Kysely<any>) {
  return db
    .selectFrom('components')
    .select(['id', 'ecosystem', 'release', 'name', 'source_name', 'version', 'purl'])
    .where((eb) =>
      eb.or([
        eb('ecosystem', 'in', releasedEcosystems()),
        eb('release', 'is not', null),
        eb.and([eb('ecosystem', '=', 'Go'), eb('name', 'in', ['stdlib', 'toolchain'])]),
      ]),
    );
}

export async function rekeyComponents(db: Kysely<any>, batchSize = REKEY_BATCH): Promise<{ read: number; changed: number; kept: number }> {
  let after: number | string = 0;
  let read = 0;
  let changed = 0;
  let kept = 0;
  // PostgreSQL runs the whole migration in one transaction; SQLite's migrator does not (no transactional DDL there),
  // so each batch is its own transaction: one commit per batch instead of one per row, and a crash leaves whole
  // batches re-keyed, which a second run (the migration is then still pending) finishes, since re-keying is idempotent.
  const batch = <T>(fn: (tx: Kysely<any>) => Promise<T>): Promise<T> => (db.isTransaction ? fn(db) : db.transaction().execute(fn));
  for (;;) {
    const n = await batch(async (tx) => {
      const rows = await affectedRows(tx).where('id', '>', after).orderBy('id').limit(batchSize).execute();
      if (rows.length === 0) return 0;
      read += rows.length;
      after = rows[rows.length - 1]!.id;
      const changes: (Keys & { id: number | string })[] = [];
      for (const r of rows) {
        const next = rekeyed(r.purl as string);
        if (next === null) {
          kept++;
          continue;
        }
        if (next.ecosystem === r.ecosystem && next.release === r.release && next.name === r.name && next.source_name === r.source_name && next.version === r.version) continue;
        changes.push({ id: r.id, ...next });
      }
      await write(tx, changes);
      changed += changes.length;
      return rows.length;
    });
    if (n < batchSize) break;
  }
  return { read, changed, kept };
}

/**
 * One statement per batch on PostgreSQL (UPDATE ... FROM VALUES: a round trip per row made 50,000 rows take 13 s);
 * the id range, which the keyset order makes exact, lets the planner read the batch through the primary key instead
 * of scanning the whole table once per batch;
 * SQLite is in-process, where a statement per row inside the batch's transaction costs little.
 */
async function write(tx: Kysely<any>, changes: (Keys & { id: number | string })[]): Promise<void> {
  if (changes.length === 0) return;
  if (isPostgres(tx)) {
    const values = sql.join(
      changes.map((c) => sql`(${String(c.id)}::bigint, ${c.ecosystem}::text, ${c.release}::text, ${c.name}::text, ${c.source_name}::text, ${c.version}::text)`),
    );
    await sql`update components as c set ecosystem = v.ecosystem, release = v.release, name = v.name, source_name = v.source_name, version = v.version
      from (values ${values}) as v(id, ecosystem, release, name, source_name, version)
      where c.id = v.id and c.id between ${String(changes[0]!.id)}::bigint and ${String(changes[changes.length - 1]!.id)}::bigint`.execute(tx);
    return;
  }
  for (const { id, ...keys } of changes) await tx.updateTable('components').set(keys).where('id', '=', id).execute();
}

interface Keys {
  ecosystem: string;
  release: string | null;
  name: string;
  source_name: string | null;
  version: string;
}

/** The keys an upload stores today for this purl (as toStoredComponent does), or null when it is now refused. */
function rekeyed(purl: string): Keys | null {
  try {
    const c = componentFromPurl(purl);
    // GIT components carry no names list: their name is the normalised repository URL.
    return { ecosystem: c.ecosystem, release: c.release, name: c.names[0] ?? c.name, source_name: c.names[1] ?? null, version: c.version };
  } catch {
    return null;
  }
}

export async function up(db: Kysely<any>): Promise<void> {
  await rekeyComponents(db);
}

/** The old keys are not kept anywhere and were wrong: there is nothing to go back to. */
export async function down(): Promise<void> {}
