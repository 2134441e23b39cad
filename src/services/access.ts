import { guardFor } from '../domain/policy/authorize.ts';
import type { Principal, Scope } from '../domain/policy/access-label.ts';

/**
 * Kept only for src/services/affected.service.ts, whose body another change owns: it forwards to the policy
 * layer's guards (src/domain/policy/authorize.ts). New code calls `authorize` / `guardFor` directly.
 */
export function requireUser(p: Principal, scope: Scope = 'read'): void {
  guardFor(p, scope === 'read' ? 'inventory.read' : 'inventory.write');
}
