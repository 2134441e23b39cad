import { CompiledQuery } from 'kysely';
import type { Db, Tx } from './db.ts';
import { isPostgres } from './dialect.ts';

/**
 * Multi-row INSERT written as SQL text with bound parameters, for the few places that write thousands of rows in one
 * transaction (issue 10's notifications and inventory findings). Kysely's builder makes a node per value and compiles
 * the tree on every statement: 10,000 notification rows took 0.7 s through it, most of it building and compiling.
 * Identifiers come from the caller's constants, never from input; values are always bound parameters.
 */
export interface BulkInsertOptions {
  /** Columns to return per inserted row, in insertion order (both databases support RETURNING). */
  returning?: readonly string[];
  /** `ON CONFLICT (...) DO NOTHING` on these columns. */
  ignoreConflictOn?: readonly string[];
}

/** SQLite binds at most 32,766 parameters a statement and PostgreSQL 65,535; stay well below both. */
const MAX_PARAMETERS = 30_000;
const MAX_ROWS = 1000;
const IDENT = /^[a-z_][a-z0-9_]*$/;

function ident(name: string): string {
  if (!IDENT.test(name)) throw new Error(`bulkInsert: ${JSON.stringify(name)} is not a plain identifier`);
  return `"${name}"`;
}

export async function bulkInsert(db: Db | Tx, table: string, columns: readonly string[], rows: readonly (readonly unknown[])[], opts: BulkInsertOptions = {}): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  if (rows.length === 0) return out;
  const pg = isPostgres(db);
  const width = columns.length;
  const per = Math.max(1, Math.min(MAX_ROWS, Math.floor(MAX_PARAMETERS / width)));
  const head = `insert into ${ident(table)} (${columns.map(ident).join(', ')}) values `;
  const tail =
    (opts.ignoreConflictOn ? ` on conflict (${opts.ignoreConflictOn.map(ident).join(', ')}) do nothing` : '') +
    (opts.returning?.length ? ` returning ${opts.returning.map(ident).join(', ')}` : '');
  // The statement text depends only on the row count, so the full-size text is built once.
  const texts = new Map<number, string>();
  const textFor = (n: number): string => {
    let t = texts.get(n);
    if (t === undefined) {
      const groups: string[] = new Array(n);
      let p = 1;
      for (let r = 0; r < n; r++) {
        const marks: string[] = new Array(width);
        for (let c = 0; c < width; c++) marks[c] = pg ? `$${p++}` : '?';
        groups[r] = `(${marks.join(', ')})`;
      }
      t = head + groups.join(', ') + tail;
      texts.set(n, t);
    }
    return t;
  };
  for (let i = 0; i < rows.length; i += per) {
    const n = Math.min(per, rows.length - i);
    const params: unknown[] = new Array(n * width);
    let k = 0;
    for (let r = i; r < i + n; r++) {
      const row = rows[r]!;
      if (row.length !== width) throw new Error(`bulkInsert: row ${r} has ${row.length} values for ${width} columns`);
      for (let c = 0; c < width; c++) params[k++] = row[c];
    }
    const res = await db.executeQuery<Record<string, unknown>>(CompiledQuery.raw(textFor(n), params));
    for (const r of res.rows) out.push(r);
  }
  return out;
}
