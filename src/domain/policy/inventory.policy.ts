import { readerFacts, type AccessLabel, type Principal, type ReaderFacts } from './access-label.ts';
import { isMemberOf, isOperator, isSystem, labelAllows } from './predicates.ts';
import { rule } from './rule.ts';

export interface InventoryRecord {
  label: AccessLabel;
}

/** Inventories follow their label only: site administrators get no exception (operators' sensitive data). */
const seesInventory = (a: Principal, i: InventoryRecord, now: Date) => isSystem(a) || labelAllows(a, i.label, now);
const writes = (a: Principal, owner: string) => isOperator(a) || isMemberOf(a, owner);

/** The read rule as a scope for SQL (src/store/inventory.repository.ts); `all` only for the server's own work. */
export interface InventoryScope {
  all: boolean;
  facts: ReaderFacts;
  now: string;
}

export function inventoryScope(a: Principal, now: Date): InventoryScope {
  return { all: isSystem(a), facts: readerFacts(a), now: now.toISOString() };
}

export const inventoryPolicy = {
  'inventory.list': rule<null>({ what: 'inventory', need: 'public' }),
  'inventory.read': rule<InventoryRecord>({ what: 'inventory', need: 'public', visible: seesInventory }),
  // The reverse query reads across every inventory the caller may see; the answer is community data at best, so the
  // public never asks it (issue 6: an anonymous caller learnt of other tenants' packages through its diagnostics).
  'inventory.affected-by': rule<null>({ what: 'inventory', need: 'read' }),
  'inventory.create': rule<{ owner: string }>({
    what: 'inventory',
    need: 'write',
    allow: (a, r) => writes(a, r.owner) || 'only members of the owning organisation can upload its inventories',
  }),
  'inventory.write': rule<InventoryRecord>({
    what: 'inventory',
    need: 'write',
    visible: seesInventory,
    allow: (a, i) => writes(a, i.label.owner) || 'only members of the owning organisation can change its inventories',
  }),
};
