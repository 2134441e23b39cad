import { buildApp } from '../../src/http/app.ts';
import { osvApiRoutes } from '../../src/http/osv-api.routes.ts';
import { bootstrapIfEmpty } from '../../src/services/bootstrap.service.ts';
import { OsvApiService } from '../../src/services/osv-api.service.ts';
import type { Driver } from '../../src/store/db.ts';
import type { ContainerOptions } from '../../src/composition.ts';
import { testContainer } from './db.ts';
import type { TestServer } from './server.ts';

/**
 * startTestServer, plus the OSV API where the composition root does not wire it yet (services.osvApi and the
 * routes at the root): the suites then run the same code the server will once it does.
 */
export async function startOsvTestServer(opts: { driver?: Driver; env?: Record<string, string>; listen?: boolean } & ContainerOptions = {}): Promise<TestServer & { osv: OsvApiService }> {
  const { driver = 'sqlite', listen = true, ...rest } = opts;
  const container = await testContainer(driver, rest);
  const services = container.services as typeof container.services & { osvApi?: OsvApiService };
  if (!services.osvApi) services.osvApi = new OsvApiService(container.deps, services.advisories);
  const osv = services.osvApi;
  const app = await buildApp(container, { logger: false });
  if (!app.hasRoute({ method: 'POST', url: '/v1/query' })) await app.register(osvApiRoutes, { services: services as never });
  const first = await bootstrapIfEmpty(container, { adminEmail: container.config.adminEmail, organisationName: container.config.adminOrganisation });
  await osv.start();
  let url = '';
  if (listen) {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const addr = app.server.address();
    url = typeof addr === 'object' && addr ? `http://127.0.0.1:${addr.port}` : '';
  } else {
    await app.ready();
  }
  return {
    url,
    admin: { email: first!.email, oneTimePassword: first!.oneTimePassword },
    app,
    container,
    osv,
    async close() {
      await osv.close();
      await app.close();
      await container.destroy();
    },
  };
}
