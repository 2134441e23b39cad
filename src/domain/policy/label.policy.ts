import type { AccessLabel } from './access-label.ts';
import { holdsRole, isOperator } from './predicates.ts';
import { rule } from './rule.ts';

export const labelPolicy = {
  // A writer may only apply a restriction they hold, so nobody locks themselves or others out by accident. The
  // operator on the machine is trusted with any label.
  'label.apply': rule<AccessLabel>({
    what: 'record',
    need: 'write',
    allow: (a, l) => isOperator(a) || l.restricted === null || holdsRole(a, l.restricted) || 'you can only restrict a record to a role you hold',
  }),
};
