import type { Services } from '../composition.ts';
import { findOrganisationIdByName } from '../store/organisation.repository.ts';
import { anyUserExists } from '../store/user.repository.ts';
import type { ServiceDeps } from './context.ts';
import { systemPrincipal } from './principal.ts';

export interface BootstrapResult {
  email: string;
  oneTimePassword: string;
  organisation: string;
}

/**
 * First start: with no users at all, create the operators' organisation and an administrator whose one-time password
 * is printed once and must be changed at first sign-in. Later starts do nothing. It works through the container's
 * services (src/composition.ts), so the first administrator is made by the same code, with the same audit entries,
 * as every later user.
 */
export async function bootstrapIfEmpty(
  container: { deps: ServiceDeps; services: Pick<Services, 'organisations' | 'users'> },
  opts: { adminEmail: string; organisationName: string },
): Promise<BootstrapResult | null> {
  const { deps, services } = container;
  if (await anyUserExists(deps.db)) return null;
  const system = systemPrincipal('system');
  const orgId =
    (await findOrganisationIdByName(deps.db, opts.organisationName)) ??
    (await services.organisations.create(system, { name: opts.organisationName, kind: 'government', label: { tlp: 'GREEN' } })).id;
  const { oneTimePassword } = await services.users.create(system, {
    email: opts.adminEmail,
    name: 'Administrator',
    siteAdmin: true,
    memberships: [{ organisationId: orgId, roles: ['admin', 'member'] }],
  });
  return { email: opts.adminEmail, oneTimePassword: oneTimePassword!, organisation: opts.organisationName };
}
