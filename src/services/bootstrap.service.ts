import { systemPrincipal } from './principal.ts';
import { OrganisationService } from './organisation.service.ts';
import { UserService } from './user.service.ts';
import type { ServiceDeps } from './context.ts';

export interface BootstrapResult {
  email: string;
  oneTimePassword: string;
  organisation: string;
}

/**
 * First start: with no users at all, create the operators' organisation and an administrator whose one-time password
 * is printed once and must be changed at first sign-in. Later starts do nothing.
 */
export async function bootstrapIfEmpty(deps: ServiceDeps, opts: { adminEmail: string; organisationName: string }): Promise<BootstrapResult | null> {
  const any = await deps.db.selectFrom('users').select('id').limit(1).executeTakeFirst();
  if (any) return null;
  const system = systemPrincipal('system');
  const orgs = new OrganisationService(deps);
  const existing = await deps.db.selectFrom('organisations').select('id').where('name', '=', opts.organisationName).executeTakeFirst();
  const orgId = existing?.id ?? (await orgs.create(system, { name: opts.organisationName, kind: 'government', label: { tlp: 'GREEN' } })).id;
  const { oneTimePassword } = await new UserService(deps).create(system, {
    email: opts.adminEmail,
    name: 'Administrator',
    siteAdmin: true,
    memberships: [{ organisationId: orgId, roles: ['admin', 'member'] }],
  });
  return { email: opts.adminEmail, oneTimePassword: oneTimePassword!, organisation: opts.organisationName };
}
