import diff from 'microdiff';

/** One field that differs between two revisions of a record, addressed by JSON pointer (RFC 6901). */
export interface FieldChange {
  path: string;
  kind: 'added' | 'removed' | 'changed';
  before?: unknown;
  after?: unknown;
}

const escape = (k: string | number) => String(k).replace(/~/g, '~0').replace(/\//g, '~1');
const KIND = { CREATE: 'added', REMOVE: 'removed', CHANGE: 'changed' } as const;

/** Field-level differences from `a` to `b` (microdiff walks both; we only name the paths). */
export function diffRecords(a: unknown, b: unknown): FieldChange[] {
  const left = (a && typeof a === 'object' ? a : {}) as Record<string, unknown>;
  const right = (b && typeof b === 'object' ? b : {}) as Record<string, unknown>;
  return diff(left, right).map((d) => {
    const path = `/${d.path.map(escape).join('/')}`;
    if (d.type === 'CREATE') return { path, kind: KIND.CREATE, after: d.value };
    if (d.type === 'REMOVE') return { path, kind: KIND.REMOVE, before: d.oldValue };
    return { path, kind: KIND.CHANGE, before: d.oldValue, after: d.value };
  });
}
