import diff from 'microdiff';

export interface FieldChange {
  /** JSON Pointer (RFC 6901) into the record. */
  path: string;
  kind: 'added' | 'removed' | 'changed';
  before?: unknown;
  after?: unknown;
}

const KIND = { CREATE: 'added', REMOVE: 'removed', CHANGE: 'changed' } as const;

function pointer(path: (string | number)[]): string {
  return path.map((p) => '/' + String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

export function diffRecords(a: unknown, b: unknown): FieldChange[] {
  const objA = (a ?? {}) as Record<string, unknown>;
  const objB = (b ?? {}) as Record<string, unknown>;
  return diff(objA, objB).map((d) => {
    const c: FieldChange = { path: pointer(d.path), kind: KIND[d.type] };
    if (d.type !== 'CREATE') c.before = d.oldValue;
    if (d.type !== 'REMOVE') c.after = d.value;
    return c;
  });
}
